using System.Numerics;

namespace ClipGuard.Stream.Core.Reference;

/// <summary>The re-embedded set and the ids (members, then hold-back) that had no new vector and were left out.</summary>
public sealed record ReembeddedState<T>(ReferenceSetState<T> State, IReadOnlyList<string> Dropped)
    where T : unmanaged, IBinaryFloatingPointIeee754<T>;
