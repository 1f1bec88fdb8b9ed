namespace ClipGuard.Stream.Offline.Publishing;

/// <summary>What <c>clipguard publish --input</c> was asked to do; ranges are checked by <see cref="Validate"/> before any work.</summary>
public sealed record PairPublishSettings(string Input)
{
    /// <summary>Pairs decoded at once before they are sent in order; bounds memory.</summary>
    public const int ChunkSize = 256;

    public ShardSelection Shard { get; init; } = ShardSelection.All;

    /// <summary>Stop once this many pairs are published (skipped pairs do not count); null = every pair.</summary>
    public long? Limit { get; init; }

    /// <summary>Decode every image before sending it, skipping those the service's decoder would dead-letter.</summary>
    public bool CheckImages { get; init; } = true;

    /// <summary>Concurrent image checks; 0 = one per core.</summary>
    public int DecodeWorkers { get; init; }

    public void Validate()
    {
        if (Limit is < 1)
        {
            throw new OfflineInputException($"--limit {Limit} must be positive");
        }

        if (DecodeWorkers < 0)
        {
            throw new OfflineInputException($"--decode-workers {DecodeWorkers} must be 0 (one per core) or positive");
        }
    }
}
