using System.Diagnostics;

namespace ClipGuard.Stream.Core.Calibration;

/// <summary>
/// One calibration version: the scores of clean calibration samples for each signal, sorted. A new score gets the
/// conformal p-value (1 + #{calibration scores ≥ it}) / (n + 1): for a new clean sample exchangeable with the
/// calibration samples, P(p ≤ α) ≤ α for every α, whatever the score's distribution (docs/detection.md).
/// </summary>
public sealed class ConformalCalibration
{
    private readonly double[] _density;
    private readonly double[] _agreement;

    /// <param name="version">Names this calibration in verdicts.</param>
    /// <param name="density">Image-density scores of the calibration samples (any order; non-finite values dropped).</param>
    /// <param name="agreement">Image–caption disagreements of those calibration samples that have a caption embedding.</param>
    /// <param name="minimumSize">The agreement signal takes part only with at least this many calibration values (the
    /// density signal whenever it has any: the reference always gives it some).</param>
    public ConformalCalibration(long version, IEnumerable<double> density, IEnumerable<double> agreement, int minimumSize)
        : this(version, Sorted(density), Sorted(agreement), minimumSize)
    {
    }

    private ConformalCalibration(long version, double[] sortedDensity, double[] sortedAgreement, int minimumSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumSize, 1);
        Version = version;
        MinimumSize = minimumSize;
        _density = sortedDensity;
        _agreement = sortedAgreement;
    }

    /// <summary>
    /// A calibration over values already finite and sorted ascending (kept, not copied: the caller must not change
    /// them); what <see cref="CalibrationPool"/> builds every micro-batch without re-sorting the trusted agreements.
    /// </summary>
    internal static ConformalCalibration FromSorted(long version, double[] sortedDensity, double[] sortedAgreement, int minimumSize)
    {
        Debug.Assert(IsSortedFinite(sortedDensity) && IsSortedFinite(sortedAgreement), "values must be finite and ascending");
        return new ConformalCalibration(version, sortedDensity, sortedAgreement, minimumSize);
    }

    public long Version { get; }

    public int MinimumSize { get; }

    public int DensityCount => _density.Length;

    public int AgreementCount => _agreement.Length;

    public bool HasDensity => _density.Length > 0;

    public bool HasAgreement => _agreement.Length >= MinimumSize;

    /// <summary>The p-value of an image-density score (NaN when the density signal is not calibrated or the score is not finite).</summary>
    public double DensityP(double score) => HasDensity ? PValue(_density, score) : double.NaN;

    /// <summary>The p-value of an image–caption disagreement (NaN when that signal is not calibrated or the value is missing).</summary>
    public double AgreementP(double disagreement) => HasAgreement ? PValue(_agreement, disagreement) : double.NaN;

    /// <summary>
    /// The smallest density score whose p-value is at most <paramref name="alpha"/> alone (the equivalent score threshold,
    /// for dashboards and verdicts); +∞ when no score can reach it with this many calibration values.
    /// </summary>
    public double DensityThreshold(double alpha)
    {
        // p(s) = (1 + c) / (n + 1) ≤ α  ⇔  c ≤ α(n + 1) − 1, where c = #{cal ≥ s}.
        int n = _density.Length;
        int c = (int)Math.Floor((alpha * (n + 1)) - 1 + 1e-12);
        if (!HasDensity || c < 0)
        {
            return double.PositiveInfinity;
        }

        // The smallest s with at most c calibration values ≥ s lies just above the (n − c − 1)-th sorted value.
        return c >= n ? double.NegativeInfinity : Math.BitIncrement(_density[n - c - 1]);
    }

    /// <summary>
    /// The finite values among the first <paramref name="count"/> of <paramref name="values"/>, sorted ascending: in
    /// place (the array is reused, cut to length only when something was dropped or <paramref name="count"/> is short).
    /// </summary>
    internal static double[] SortFinite(double[] values, int count)
    {
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            if (double.IsFinite(values[i]))
            {
                values[kept++] = values[i];
            }
        }

        double[] sorted = values.Length == kept ? values : values[..kept];
        Array.Sort(sorted);
        return sorted;
    }

    private static double[] Sorted(IEnumerable<double> values)
    {
        double[] copy = [.. values];
        return SortFinite(copy, copy.Length);
    }

    private static bool IsSortedFinite(double[] values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]) || (i > 0 && values[i - 1] > values[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>(1 + #{sorted ≥ score}) / (n + 1); NaN for a non-finite score.</summary>
    public static double PValue(double[] sorted, double score)
    {
        if (!double.IsFinite(score))
        {
            // An infinite density (a query with k duplicates at distance 0 scores 0, a far one +∞): +∞ is beyond every value.
            return double.IsPositiveInfinity(score) ? 1.0 / (sorted.Length + 1) : double.NaN;
        }

        // First index whose value is ≥ score.
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < score)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return (1.0 + (sorted.Length - lo)) / (sorted.Length + 1);
    }
}
