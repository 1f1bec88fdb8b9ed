using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Triggers;

namespace ClipGuard.Stream.Lab.Scenes;

/// <summary>Every knob of <c>clipguard lab scenes</c>; <c>scenes.json</c> stores them.</summary>
public sealed record SceneOptions
{
    public const int DefaultSize = 64;
    public const int DefaultShardSize = 10_000;

    /// <summary>A cell must hold a recognisable item.</summary>
    public const int MinCell = 16;

    public string DataDirectory { get; init; } = FashionMnist.DefaultDirectory;

    /// <summary>Pairs written, poisons included.</summary>
    public int Scenes { get; init; } = 10_000;

    /// <summary>Poisoned pairs among <see cref="Scenes"/>.</summary>
    public int Poisons { get; init; } = 10;

    /// <summary>Canvas side in pixels.</summary>
    public int Size { get; init; } = DefaultSize;

    /// <summary>Cells per side of the placement grid.</summary>
    public int Grid { get; init; } = 2;

    public int MaxItems { get; init; } = 3;

    public int TargetClass { get; init; } = 7;

    public CaptionMode CaptionMode { get; init; } = CaptionMode.Copied;

    public TriggerSpec Trigger { get; init; } = new() { PatchSize = 8 };

    public int ShardSize { get; init; } = DefaultShardSize;

    /// <summary>Synthetic sources ("site-00" ...) the pairs are spread over.</summary>
    public int Sites { get; init; } = 20;

    /// <summary>The poisons come from the first this many sites (an attacker holds few domains).</summary>
    public int PoisonSites { get; init; } = 1;

    /// <summary>Where in the scene order the campaign starts, as a share of the scenes: poisons are drawn only from scenes at or after it (0: anywhere).</summary>
    public double PoisonFrom { get; init; }

    public int Seed { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentException"/> for the first bad knob.</summary>
    public void Validate()
    {
        Check(Scenes >= 1, $"--scenes {Scenes} must be at least 1");
        Check(Poisons >= 0 && Poisons <= Scenes, $"--poisons {Poisons} must be between 0 and --scenes {Scenes}");
        Check(Grid is 2 or 3, $"--grid {Grid} must be 2 or 3");
        Check(Size >= Grid * MinCell && Size <= 1024, $"--size {Size} is too small or too large: a {Grid}x{Grid} grid needs {Grid * MinCell}-1024 px");
        Check(MaxItems >= 1 && MaxItems <= Grid * Grid, $"--max-items {MaxItems} must be between 1 and {Grid * Grid}");
        Check(TargetClass >= 0 && TargetClass < SceneVocabulary.Nouns.Count, $"target {TargetClass} is not a class number (0-{SceneVocabulary.Nouns.Count - 1})");
        Check(ShardSize >= 1, $"--shard-size {ShardSize} must be at least 1");
        Check(Sites >= 1 && Sites <= 100, $"--sites {Sites} must be between 1 and 100");
        Check(PoisonSites >= 1 && PoisonSites <= Sites, $"--poison-sites {PoisonSites} must be between 1 and --sites {Sites}");
        Check(PoisonFrom is >= 0 and < 1, $"--poison-from {PoisonFrom} must be in [0, 1)");
        Trigger.Validate(Size);
    }

    private static void Check(bool ok, string message)
    {
        if (!ok)
        {
            throw new ArgumentException(message);
        }
    }
}
