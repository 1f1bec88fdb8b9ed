using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ClipGuard.Stream.Core.Knn;

/// <summary>
/// Collects, per new point, the members whose neighbour list it may enter: approximate squared distance within the
/// member's threshold plus the point's rounding margin.
/// </summary>
internal readonly struct ReverseCandidateSink : ITileSink
{
    private readonly double[] _thresholdSq;
    private readonly double[] _margin;
    private readonly List<int>[] _candidates;

    /// <param name="thresholdSq">Per stored slot, the squared distance a new point must beat to enter its list.</param>
    /// <param name="margin">Per query of the block, the kernel's rounding margin.</param>
    public ReverseCandidateSink(double[] thresholdSq, double[] margin)
    {
        _thresholdSq = thresholdSq;

        // Padded to whole panel pairs for the vector screen; padding lanes never pass it.
        _margin = new double[(margin.Length + 31) / 32 * 32];
        Array.Fill(_margin, double.NegativeInfinity);
        margin.CopyTo(_margin, 0);
        _candidates = new List<int>[margin.Length];
        for (int q = 0; q < margin.Length; q++)
        {
            _candidates[q] = [];
        }
    }

    public List<int> Candidates(int query) => _candidates[query];

    /// <summary>Most pairs are rejected by one comparison; the kernel inlines this part only.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Accept(int query, int slot, double approxSquared)
    {
        if (approxSquared <= _thresholdSq[slot] + _margin[query])
        {
            Add(query, slot);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint MayAccept(int queryBase, int slot, Vector512<double> low, Vector512<double> high)
    {
        Vector512<double> threshold = Vector512.Create(_thresholdSq[slot]);
        return (uint)Vector512.LessThanOrEqual(low, threshold + Vector512.Create<double>(_margin.AsSpan(queryBase))).ExtractMostSignificantBits()
            | ((uint)Vector512.LessThanOrEqual(high, threshold + Vector512.Create<double>(_margin.AsSpan(queryBase + 8))).ExtractMostSignificantBits() << 8);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Add(int query, int slot) => _candidates[query].Add(slot);
}
