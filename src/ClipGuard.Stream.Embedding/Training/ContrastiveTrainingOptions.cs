namespace ClipGuard.Stream.Embedding.Training;

/// <summary>Optimiser and schedule of <see cref="ContrastiveTrainer"/>: AdamW with linear warm-up then cosine decay.</summary>
public sealed class ContrastiveTrainingOptions
{
    public const double DefaultLearningRate = 1e-3;
    public const double DefaultWeightDecay = 0.1;
    public const double DefaultWarmupFraction = 0.05;

    /// <summary>OpenCLIP clamps the learned logit scale at 100 so the softmax cannot become a hard argmax.</summary>
    public const double MaxLogitScale = 100;

    public double LearningRate { get; set; } = DefaultLearningRate;

    /// <summary>Applied to matrices only; gains, biases, the class token and the logit scale are not decayed (as OpenCLIP).</summary>
    public double WeightDecay { get; set; } = DefaultWeightDecay;

    public double Beta1 { get; set; } = 0.9;

    public double Beta2 { get; set; } = 0.98;

    public double Epsilon { get; set; } = 1e-6;

    /// <summary>Share of all steps spent warming the learning rate up linearly from zero.</summary>
    public double WarmupFraction { get; set; } = DefaultWarmupFraction;

    /// <summary>Throws with every violated bound named.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (!(LearningRate > 0 && double.IsFinite(LearningRate)))
        {
            errors.Add($"learning rate must be positive (got {LearningRate})");
        }

        if (!(WeightDecay >= 0 && double.IsFinite(WeightDecay)))
        {
            errors.Add($"weight decay must be non-negative (got {WeightDecay})");
        }

        if (!(WarmupFraction is >= 0 and < 1))
        {
            errors.Add($"warm-up fraction must be in [0, 1) (got {WarmupFraction})");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }
    }
}
