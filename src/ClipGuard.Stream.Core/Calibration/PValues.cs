namespace ClipGuard.Stream.Core.Calibration;

/// <summary>Combining and thresholding p-values.</summary>
public static class PValues
{
    /// <summary>
    /// Bonferroni's combination: m · min pᵢ over the signals present (NaN entries are absent), capped at 1. Valid under
    /// any dependence between the signals, which matters here: image density and image–caption agreement are both
    /// functions of one image embedding. NaN when no signal is present.
    /// </summary>
    public static double Fuse(params ReadOnlySpan<double> p)
    {
        int m = 0;
        double min = double.PositiveInfinity;
        foreach (double x in p)
        {
            if (!double.IsNaN(x))
            {
                m++;
                min = Math.Min(min, x);
            }
        }

        return m == 0 ? double.NaN : Math.Min(1.0, m * min);
    }

    /// <summary>
    /// Benjamini–Hochberg at level <paramref name="q"/>: which of the p-values are rejections, controlling the expected
    /// share of false rejections among all rejections at q (for independent or positively dependent p-values). NaN
    /// entries are never rejected and do not count.
    /// </summary>
    public static bool[] BenjaminiHochberg(IReadOnlyList<double> p, double q)
    {
        var order = Enumerable.Range(0, p.Count).Where(i => !double.IsNaN(p[i])).OrderBy(i => p[i]).ToArray();
        int m = order.Length;
        int cut = -1;
        for (int r = m - 1; r >= 0; r--)
        {
            if (p[order[r]] <= q * (r + 1) / m)
            {
                cut = r;
                break;
            }
        }

        var reject = new bool[p.Count];
        for (int r = 0; r <= cut; r++)
        {
            reject[order[r]] = true;
        }

        return reject;
    }
}
