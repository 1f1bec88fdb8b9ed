using System.Runtime.CompilerServices;

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
        _margin = margin;
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

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Add(int query, int slot) => _candidates[query].Add(slot);
}
