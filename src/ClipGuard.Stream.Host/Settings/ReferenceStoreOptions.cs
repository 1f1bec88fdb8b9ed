using System.ComponentModel.DataAnnotations;

namespace ClipGuard.Stream.Host.Settings;

/// <summary>Where the reference comes from at start and where it is kept. Section "ClipGuard:Stream".</summary>
public sealed class ReferenceStoreOptions
{
    public const string Section = "ClipGuard:Stream";

    /// <summary>Embedding dimension messages must carry (taken from the seed reference when one is given).</summary>
    [Range(1, 65_536)]
    public int Dimension { get; set; } = 512;

    /// <summary>A trusted seed reference (.npy); without it the first samples bootstrap the reference.</summary>
    public string? SeedReference { get; set; }

    /// <summary>
    /// The caption embeddings of a .npy seed reference, row for row (a .npy of the same shape): the image–caption
    /// agreement signal then calibrates on the trusted seed from the start, as it does with a folder seed the model
    /// embeds. Without it a .npy seed has no captions and that signal calibrates on held-out stream samples only.
    /// </summary>
    public string? SeedCaptions { get; set; }

    /// <summary>Without a seed, how long a quiet stream may hold fewer than BootstrapSize samples before the bootstrap
    /// completes with what it has.</summary>
    public TimeSpan BootstrapTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Where the reference set is snapshotted (with one previous generation at <c>PATH.prev</c>). A start restores the
    /// newest good snapshot instead of the seed, then replays the replicated log from the position it covers.
    /// </summary>
    public string? SnapshotPath { get; set; }

    /// <summary>How often the reference is snapshotted (also once on a clean stop).</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A directory that keeps the encoded image of every cleared sample that may be (or is) a reference member, so a
    /// start under a different checkpoint than the snapshot's re-embeds the reference instead of mixing two embedding
    /// spaces. Disk cost: the images as sent (about capacity + hold-back files); memory: none. Replicas may share it.
    /// </summary>
    public string? ReferenceImages { get; set; }
}
