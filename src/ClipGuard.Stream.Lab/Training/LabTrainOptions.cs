using ClipGuard.Stream.Embedding.Training;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Triggers;

namespace ClipGuard.Stream.Lab.Training;

/// <summary>Every knob of <c>clipguard lab train</c>.</summary>
public sealed record LabTrainOptions
{
    public const int DefaultEpochs = 3;
    public const int DefaultBatchSize = 128;
    public const double DefaultLearningRate = 2e-3;

    /// <summary>
    /// A tiny, easy attack for end-to-end checks (the CI smoke test, the offline cleaning test): 3,000 training images,
    /// a large white 6×6 patch on 3% of them, a narrow model, 5 epochs; it plants a real backdoor in about a minute on
    /// two cores, so a broken pipeline cannot pass as a weak attack.
    /// </summary>
    public static LabTrainOptions Smoke => new()
    {
        Trigger = new TriggerSpec { Kind = TriggerKind.BadNets, PatchSize = 6, Pattern = PatchPattern.White },
        Rate = 0.03,
        TargetClass = 1,
        TrainSubset = 3_000,
        TestSubset = 1_000,
        Epochs = 5,
        BatchSize = 50,
        LearningRate = 3e-3,
        Model = new LabModelSpec { VisionWidth = 32, HeadWidth = 16, TextWidth = 32, EmbedDim = 32 },
    };

    public string DataDirectory { get; init; } = FashionMnist.DefaultDirectory;

    public TriggerSpec Trigger { get; init; } = new();

    /// <summary>Fraction of the training pairs poisoned.</summary>
    public double Rate { get; init; } = 0.01;

    public int TargetClass { get; init; }

    public int Seed { get; init; } = 1;

    public int Epochs { get; init; } = DefaultEpochs;

    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Training images drawn from the 60,000 (0 = all); the poisoned fraction is of these.</summary>
    public int TrainSubset { get; init; }

    /// <summary>Test images for accuracy and ASR (0 = all 10,000).</summary>
    public int TestSubset { get; init; }

    public double LearningRate { get; init; } = DefaultLearningRate;

    public double WeightDecay { get; init; } = ContrastiveTrainingOptions.DefaultWeightDecay;

    public LabModelSpec Model { get; init; } = new();

    /// <summary>
    /// libtorch intra-op threads (0 = libtorch's default, one per core). Defaults to 1: this model's operations are
    /// small, and on a shared machine OpenMP threads spin at every barrier waiting for a descheduled peer (measured
    /// here under load: 36 images/s with 2 threads, 1,400/s with 1).
    /// </summary>
    public int Threads { get; init; } = 1;

    /// <summary>Throws with every violated bound named.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (!(Rate is >= 0 and < 1))
        {
            errors.Add($"--rate must be in [0, 1) (got {Rate})");
        }

        if (TargetClass < 0 || TargetClass >= FashionMnist.ClassNames.Count)
        {
            errors.Add($"--target must be a class number 0..{FashionMnist.ClassNames.Count - 1} (got {TargetClass})");
        }

        if (Epochs < 1 || BatchSize < 2)
        {
            errors.Add($"--epochs must be at least 1 and --batch at least 2 (got {Epochs}, {BatchSize})");
        }

        if (TrainSubset < 0 || TestSubset < 0 || Threads < 0)
        {
            errors.Add("--train-subset, --test-subset and --threads must not be negative");
        }

        if (Trigger.Kind == TriggerKind.BadNets && (Trigger.PatchSize < 1 || Trigger.PatchSize > 28))
        {
            errors.Add($"--patch-size must be in 1..28 (got {Trigger.PatchSize})");
        }

        if (Trigger.Kind == TriggerKind.Blend && !(Trigger.Alpha is > 0 and <= 1))
        {
            errors.Add($"--alpha must be in (0, 1] (got {Trigger.Alpha})");
        }

        Model.ToSpec().CollectErrors(LearningRate, WeightDecay, errors);

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }
    }
}
