using System.ComponentModel.DataAnnotations;

namespace ClipGuard.Stream.Host.Settings;

/// <summary>
/// The model loop (docs/sentinel.md). Section "ClipGuard:Sentinel". With a <see cref="Directory"/>, the service keeps
/// the recent window of input pairs there for <c>clipguard sentinel</c> to train on, watches its <c>models/</c> for
/// new checkpoints and swaps them in without a restart, marks clean verdicts provisional, and recalls samples of the
/// provisional window that the new model judges poisoned.
/// </summary>
public sealed class SentinelOptions
{
    public const string Section = "ClipGuard:Sentinel";

    /// <summary>The sentinel directory (shared by replicas and the trainer); null turns the loop off.</summary>
    public string? Directory { get; set; }

    /// <summary>How long a clean verdict stays provisional (may be recalled); sets <c>ClipGuard:Kafka:ProvisionalWindow</c>.</summary>
    public TimeSpan ProvisionalWindow { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Pairs the closed window keeps for training; the oldest segments beyond it are deleted.</summary>
    [Range(100, 10_000_000)]
    public int WindowPairs { get; set; } = 50_000;

    /// <summary>Pairs per window segment (a folder of KEY.jpg + KEY.txt files); a segment is closed when full.</summary>
    [Range(10, 1_000_000)]
    public int SegmentPairs { get; set; } = 1_000;

    /// <summary>How often <c>models/</c> is looked at for a newer checkpoint.</summary>
    public TimeSpan Poll { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Which provisional samples a swap judges again: <see cref="RejudgePolicy.Once"/> (default) only those routed under
    /// the model the swap replaces, so every clean verdict is re-judged once and false recalls stay within one budget;
    /// <see cref="RejudgePolicy.EveryRound"/> the whole provisional window at every swap (docs/sentinel.md, "Recalls").
    /// </summary>
    public RejudgePolicy Rejudge { get; set; } = RejudgePolicy.Once;

    /// <summary>
    /// The share of the trusted seed folder (by a hash of the sample id) that every sentinel trains on and that
    /// calibrates its judgement of the provisional window, which it trained on too; the rest calibrates its verdicts on
    /// later arrivals, which it never saw (docs/sentinel.md, "Judging what the sentinel trained on"). 0: no such half, the
    /// window is judged against the calibrating seed (trained-on samples against unseen ones). Each half is a trusted
    /// start of its own: campaigns by image need each to reach <c>ClipGuard:Scoring:Campaigns:MinimumTrustedStart</c>.
    /// </summary>
    [Range(0.0, 0.9)]
    public double FitSeedShare { get; set; } = 0.5;

    /// <summary>
    /// Whether each swap writes its judgement of the window, one JSON line per judged sample (id, the model it was
    /// routed under, density score, fused p-value, verdict, campaign), to <c>judgements/vNNNNNN-OWNER.jsonl</c> in the
    /// sentinel directory: the evidence for why a sample was or was not recalled. Off by default (about 150 bytes per
    /// judged sample per swap); the lab turns it on.
    /// </summary>
    public bool KeepJudgements { get; set; }

    /// <summary>Whether the loop is on.</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Directory);
}

/// <summary>Which provisional samples a model swap judges again (<see cref="SentinelOptions.Rejudge"/>).</summary>
public enum RejudgePolicy
{
    /// <summary>Only the samples routed under the model being replaced: each clean verdict is judged again once.</summary>
    Once,

    /// <summary>Every provisional sample, at every swap: one more chance per round to recall a sample, poison or clean.</summary>
    EveryRound,
}
