namespace ClipGuard.Stream.Core.Knn;

/// <summary>Collects the members whose neighbour list a new point may enter: approx distance within their threshold.</summary>
internal struct ReverseCandidateSink : ITileSink
{
    private readonly double[] _thresholdSq;
    private readonly double _margin;

    public ReverseCandidateSink(double[] thresholdSq, double margin)
    {
        _thresholdSq = thresholdSq;
        _margin = margin;
        Candidates = [];
    }

    public List<int> Candidates { get; }

    public readonly void Accept(int query, int slot, double approxSquared)
    {
        if (approxSquared <= _thresholdSq[slot] + _margin)
        {
            Candidates.Add(slot);
        }
    }
}
