namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>Every knob of <c>clipguard lab eval</c>.</summary>
public sealed record LabEvalOptions
{
    /// <summary>Batch mode's random reference sizes; one at least the training set's size means all of it.</summary>
    public IReadOnlyList<int> ReferenceSizes { get; init; } = [500, 2_000, 10_000];

    public IReadOnlyList<int> Ks { get; init; } = [8, 16, 32];

    /// <summary>Run streaming mode (dev broker + <c>clipguard run</c> processes).</summary>
    public bool Stream { get; init; } = true;

    public StreamEvalOptions StreamOptions { get; init; } = new();

    /// <summary>k-NN and libtorch threads (1: see LabTrainOptions.Threads on shared machines).</summary>
    public int Threads { get; init; } = 1;

    public int Seed { get; init; } = 1;

    /// <summary>Throws with every violated bound named.</summary>
    public void Validate()
    {
        var errors = new List<string>();
        if (ReferenceSizes.Count == 0 || ReferenceSizes.Any(s => s < 2))
        {
            errors.Add("--reference-sizes needs sizes of at least 2");
        }

        if (Ks.Count == 0 || Ks.Any(k => k < 1) || Ks.Any(k => ReferenceSizes.Any(s => s <= k)))
        {
            errors.Add("--k values must be at least 1 and below every reference size");
        }

        if (Stream && (StreamOptions.StreamSize < 2 || StreamOptions.ReferenceSize <= StreamOptions.Ks.DefaultIfEmpty(0).Max()))
        {
            errors.Add("--stream-size must be at least 2 and --stream-reference larger than every k");
        }

        if (Threads < 0)
        {
            errors.Add("--threads must not be negative");
        }

        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", errors));
        }
    }
}
