namespace ClipGuard.Stream.Offline.Embedding;

/// <summary>What <c>clipguard embed</c> was asked to do; ranges are checked by <see cref="Validate"/> before any work.</summary>
public sealed record EmbedSettings(string Model, string? ModelConfig, string Input, string Out)
{
    public const int MaxBatchSize = 4096;
    public const long DefaultMaxMemberBytes = 64L << 20;

    public int Batch { get; init; } = 64;

    public ShardSelection Shard { get; init; } = ShardSelection.All;

    /// <summary>Concurrent decoders; 0 = one per core.</summary>
    public int DecodeWorkers { get; init; }

    /// <summary>Decoded or decoding images ahead of the model; bounds memory.</summary>
    public int QueueCapacity { get; init; } = 256;

    /// <summary>libtorch intra-op threads; 0 = libtorch's default.</summary>
    public int Threads { get; init; }

    /// <summary>Also embed captions with the text tower (text_emb/).</summary>
    public bool Text { get; init; } = true;

    /// <summary>L2-normalise (clip-retrieval does); the paper scores the unnormalised projection, our default.</summary>
    public bool Normalize { get; init; }

    /// <summary>cpu, cuda or cuda:N (<see cref="Stream.Embedding.EmbedderOptions.Device"/>).</summary>
    public string Device { get; init; } = "cpu";

    public long MaxMemberBytes { get; init; } = DefaultMaxMemberBytes;

    public void Validate()
    {
        if (!File.Exists(Model) && !Directory.Exists(Model))
        {
            throw new OfflineInputException($"--model {Model}: no such file or folder");
        }

        if (Batch < 1 || Batch > MaxBatchSize)
        {
            throw new OfflineInputException($"--batch {Batch} must be between 1 and {MaxBatchSize}");
        }

        if (DecodeWorkers < 0 || Threads < 0 || QueueCapacity < 1 || MaxMemberBytes < 1)
        {
            throw new OfflineInputException("--decode-workers and --threads must be 0 (automatic) or positive");
        }
    }
}
