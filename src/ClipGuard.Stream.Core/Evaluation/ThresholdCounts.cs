namespace ClipGuard.Stream.Core.Evaluation;

/// <summary>
/// Cumulative true- and false-positive counts at every distinct score, highest first: the ROC and PR curves in
/// integer form, so that tied scores move together as one threshold step.
/// </summary>
internal sealed class ThresholdCounts
{
    private ThresholdCounts(int positives, int negatives, int[] truePositives, int[] falsePositives)
    {
        Positives = positives;
        Negatives = negatives;
        TruePositives = truePositives;
        FalsePositives = falsePositives;
    }

    public int Positives { get; }

    public int Negatives { get; }

    /// <summary>TruePositives[g]: positives scoring at or above the g-th highest distinct score.</summary>
    public int[] TruePositives { get; }

    public int[] FalsePositives { get; }

    /// <exception cref="ArgumentException">Empty input, lengths differ, a NaN score, a label not 0/1, or one class only.</exception>
    public static ThresholdCounts Build(ReadOnlySpan<double> scores, ReadOnlySpan<int> labels)
    {
        if (scores.IsEmpty)
        {
            throw new ArgumentException("scores are empty", nameof(scores));
        }

        if (scores.Length != labels.Length)
        {
            throw new ArgumentException($"{scores.Length} scores but {labels.Length} labels", nameof(labels));
        }

        double[] keys = scores.ToArray();
        int[] items = labels.ToArray();
        int positives = 0;
        for (int i = 0; i < keys.Length; i++)
        {
            if (double.IsNaN(keys[i]))
            {
                throw new ArgumentException($"score at index {i} is NaN", nameof(scores));
            }

            positives += items[i] switch
            {
                0 => 0,
                1 => 1,
                _ => throw new ArgumentException($"label at index {i} is {items[i]}; labels must be 0 or 1", nameof(labels)),
            };
        }

        int negatives = keys.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            throw new ArgumentException(
                $"labels need both classes, got {positives} positive and {negatives} negative", nameof(labels));
        }

        Array.Sort(keys, items);
        var tps = new List<int>();
        var fps = new List<int>();
        int tp = 0;
        int fp = 0;
        for (int i = keys.Length - 1; i >= 0; i--)
        {
            tp += items[i];
            fp += 1 - items[i];
            if (i == 0 || keys[i - 1] != keys[i])
            {
                tps.Add(tp);
                fps.Add(fp);
            }
        }

        return new ThresholdCounts(positives, negatives, [.. tps], [.. fps]);
    }

    /// <summary>Trapezoidal area under the ROC curve, summed in exact integers (twice the area times P·N).</summary>
    public double Auroc()
    {
        long twiceArea = 0;
        int previousTp = 0;
        int previousFp = 0;
        for (int g = 0; g < TruePositives.Length; g++)
        {
            twiceArea += (long)(FalsePositives[g] - previousFp) * (TruePositives[g] + previousTp);
            previousTp = TruePositives[g];
            previousFp = FalsePositives[g];
        }

        return twiceArea / (2.0 * Positives * Negatives);
    }

    /// <summary>Σ over thresholds of (recall step) × precision, with no interpolation (sklearn's definition).</summary>
    public double AveragePrecision()
    {
        double sum = 0;
        int previousTp = 0;
        for (int g = 0; g < TruePositives.Length; g++)
        {
            int tp = TruePositives[g];
            if (tp != previousTp)
            {
                sum += (double)(tp - previousTp) / Positives * ((double)tp / (tp + FalsePositives[g]));
                previousTp = tp;
            }
        }

        return sum;
    }

    public double FprAtTpr(double tpr)
    {
        for (int g = 0; g < TruePositives.Length; g++)
        {
            // The same double division sklearn's roc_curve does (tps / tps[-1]), so the comparison agrees bit for bit.
            if ((double)TruePositives[g] / Positives >= tpr)
            {
                return (double)FalsePositives[g] / Negatives;
            }
        }

        throw new InvalidOperationException("unreachable: the lowest threshold has TPR 1");
    }

    /// <summary>The highest TPR of any threshold whose FPR is at most <paramref name="fpr"/> (0 when none is).</summary>
    public double TprAtFpr(double fpr)
    {
        int best = 0;
        for (int g = 0; g < TruePositives.Length && (double)FalsePositives[g] / Negatives <= fpr; g++)
        {
            best = TruePositives[g];
        }

        return (double)best / Positives;
    }
}
