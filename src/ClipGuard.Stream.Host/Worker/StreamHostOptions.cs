using System.ComponentModel.DataAnnotations;

namespace ClipGuard.Stream.Host.Worker;

/// <summary>What the stream service scores with. Section "ClipGuard:Stream".</summary>
public sealed class StreamHostOptions
{
    public const string Section = "ClipGuard:Stream";

    /// <summary>Embedding dimension messages must carry (taken from the seed reference when one is given).</summary>
    [Range(1, 65_536)]
    public int Dimension { get; set; } = 512;

    /// <summary>A trusted seed reference (.npy); without it the first samples bootstrap the reference.</summary>
    public string? SeedReference { get; set; }

    /// <summary>Without a seed, how long a quiet stream may hold fewer than BootstrapSize samples before the bootstrap
    /// completes with what it has.</summary>
    public TimeSpan BootstrapTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often one replica (the holder of the Redis leader lock) runs the full re-score; zero disables it.</summary>
    public TimeSpan RescoreInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How many of the newest quarantine records each re-score scores again for release candidates.</summary>
    [Range(0, 100_000)]
    public int RescoreQuarantineSample { get; set; } = 1000;

    /// <summary>
    /// An OpenCLIP model (a directory with one weights file and one config JSON) that embeds messages carrying an image
    /// and no embedding. Unset: such messages are dead-lettered as <c>embedding_required</c>.
    /// </summary>
    public string? Model { get; set; }

    /// <summary>The model's config JSON when <see cref="Model"/> names a weights file instead of a directory.</summary>
    public string? ModelConfig { get; set; }

    /// <summary>libtorch intra-op threads for the embedder; 0 keeps libtorch's default.</summary>
    [Range(0, 1024)]
    public int EmbedThreads { get; set; }

    /// <summary>Image decode workers; 0 means one per core.</summary>
    [Range(0, 1024)]
    public int DecodeWorkers { get; set; }

    /// <summary>Largest micro-batch of images per forward pass.</summary>
    [Range(1, 4096)]
    public int EmbedBatch { get; set; } = 32;

    /// <summary>Largest decoded image (width × height); larger ones are dead-lettered as image_too_many_pixels.</summary>
    [Range(1, long.MaxValue)]
    public long MaxImagePixels { get; set; } = Embedding.Preprocessing.PreprocessOptions.DefaultMaxPixels;

    /// <summary>
    /// Where the reference set is snapshotted (with one previous generation at <c>PATH.prev</c>). A start restores the
    /// newest good snapshot instead of the seed, then replays the replicated log from the position it covers.
    /// </summary>
    public string? SnapshotPath { get; set; }

    /// <summary>
    /// A directory that keeps the encoded image of every cleared sample that may be (or is) a reference member, so a
    /// start under a different checkpoint than the snapshot's re-embeds the reference instead of mixing two embedding
    /// spaces. Disk cost: the images as sent (about capacity + hold-back files); memory: none. Replicas may share it.
    /// </summary>
    public string? ReferenceImages { get; set; }

    /// <summary>How often the reference is snapshotted (also once on a clean stop).</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Replicas share one reference through the compacted log <see cref="ReferenceTopic"/>: a sample routed clean is
    /// proposed there, and every replica (the proposer too) applies the log in offset order. Needs a seed reference
    /// (identical on every replica) so all replicas start from the same state.
    /// </summary>
    public bool Replicate { get; set; }

    /// <summary>The replicated reference log: one partition, <c>cleanup.policy=compact</c> on a real broker.</summary>
    public string ReferenceTopic { get; set; } = Kafka.Contract.TopicNames.Reference;

    /// <summary>How long a start may take to replay the reference log up to its end before routing anything.</summary>
    public TimeSpan ReplayTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Test hook for the re-score tests: just before this replica's first full re-score, overwrite one member's maintained
    /// k-distance, so that re-score must find the drift and repair it. Never set in production.
    /// </summary>
    public bool CorruptReferenceForTest { get; set; }

    /// <summary>How long the consumer waits between ledger retries while Redis is unreachable.</summary>
    public TimeSpan LedgerRetryInterval { get; set; } = TimeSpan.FromSeconds(1);
}
