namespace ClipGuard.Stream.Lab.Protocol;

/// <summary>The paper's batch protocol: batch size, k, the shuffle's seed, and the share its cleaning removes.</summary>
public sealed record PaperProtocolOptions
{
    /// <summary>Samples per batch; the paper gathers 4 × 512 = 2,048.</summary>
    public int BatchSize { get; init; } = 2048;

    /// <summary>Neighbourhood size; the paper uses 16.</summary>
    public int K { get; init; } = 16;

    /// <summary>Seed of the shuffle that makes the batches.</summary>
    public int Seed { get; init; }

    /// <summary>The cleaning rule: remove this share of samples, highest scores first (the paper: 1 % for patch triggers).</summary>
    public double RemoveTopFraction { get; init; } = 0.01;

    /// <summary>The false-positive budget the TPR is reported at.</summary>
    public double FprBudget { get; init; } = 1e-3;

    public int Threads { get; init; }

    /// <exception cref="ArgumentException">A value out of range.</exception>
    public void Validate()
    {
        if (K < 1)
        {
            throw new ArgumentException($"k must be at least 1, got {K}");
        }

        if (BatchSize <= K)
        {
            throw new ArgumentException($"the batch size must exceed k = {K}, got {BatchSize}");
        }

        if (!(RemoveTopFraction > 0 && RemoveTopFraction <= 1))
        {
            throw new ArgumentException($"the share removed must be in (0, 1], got {RemoveTopFraction}");
        }

        if (!(FprBudget >= 0 && FprBudget <= 1))
        {
            throw new ArgumentException($"the false-positive budget must be in [0, 1], got {FprBudget}");
        }
    }
}
