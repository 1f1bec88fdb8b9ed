using System.Runtime.Intrinsics;

namespace ClipGuard.Stream.Core.Knn;

/// <summary>Receives the approximate squared distances the blocked kernel computes, one tile at a time.</summary>
internal interface ITileSink
{
    /// <summary>Called for every active reference slot and every query of the block (or, after
    /// <see cref="MayAccept"/>, for the lanes it let through).</summary>
    void Accept(int query, int slot, double approxSquared);

    /// <summary>
    /// A vector screen for sixteen consecutive queries from <paramref name="queryBase"/> against one slot, distances in
    /// lanes 0–7 of <paramref name="low"/> and 8–15 of <paramref name="high"/>: bit i set when query queryBase + i may
    /// keep its distance. A lane it clears must be one <see cref="Accept"/> would reject; lanes past the block's last
    /// query may be set or not (the caller drops them).
    /// </summary>
    uint MayAccept(int queryBase, int slot, Vector512<double> low, Vector512<double> high);
}
