namespace ClipGuard.Stream.Core.Knn;

/// <summary>Receives the approximate squared distances the blocked kernel computes, one tile at a time.</summary>
internal interface ITileSink
{
    /// <summary>Called for every active reference slot and every query of the block.</summary>
    void Accept(int query, int slot, double approxSquared);
}
