using System.Numerics;

namespace ClipGuard.Stream.Core.Scoring;

/// <summary>
/// An approximate k-NN index that proposes the neighbours of stream queries in place of the exact scan (members' own
/// neighbourhoods stay exact). The <see cref="DensityModel{T}"/> it is attached to keeps it in step, point by point,
/// and measures every proposed distance itself, so an index can only cost recall, never precision.
/// </summary>
public interface IQueryCandidates<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    /// <summary>A point (metric-space vector) entered the model at <paramref name="slot"/>.</summary>
    void Added(int slot, ReadOnlySpan<T> vector);

    /// <summary>The point at <paramref name="slot"/> left the model (its slot may be reused later).</summary>
    void Removed(int slot);

    /// <summary>Up to <paramref name="k"/> candidate slots per query row (rows laid out one after another); −1 pads.</summary>
    int[][] Search(ReadOnlySpan<T> rows, int k);
}
