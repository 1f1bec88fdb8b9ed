using ClipGuard.Stream.Core.Reference;

namespace ClipGuard.Stream.Host.Reembedding;

/// <summary>What a re-embedding did: the new state, how many samples it embedded, how many had no stored image, and the rejected images with their reasons.</summary>
internal sealed record ReembedReport(ReembeddedState<float> Result, int Embedded, int WithoutImage, IReadOnlyDictionary<string, string> Rejected);
