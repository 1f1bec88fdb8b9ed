namespace ClipGuard.Stream.Core.Calibration;

/// <summary>
/// How far one deployment's realized false-quarantine rate can sit from the budget, and the cut that holds the budget
/// with a stated confidence over the draw of the calibration set (docs/detection.md, "One deployment's rate").
/// <para>
/// A conformal cut quarantines a clean score above the r-th largest of n calibration scores. For continuous scores the
/// share of clean samples beyond that cut, once the calibration set is drawn, is Beta(r, n + 1 − r) distributed, so
/// P(realized rate &gt; α) = P(Binomial(n, α) ≤ r − 1). The marginal rule (r = ⌊α(n + 1)⌋) holds α only on average
/// over calibration draws; with small r the spread is as large as the mean.
/// </para>
/// </summary>
public static class BudgetConfidence
{
    /// <summary>P(Binomial(n, p) ≤ j), summed in log space (no underflow for large n·p); 0 for j &lt; 0, 1 for j ≥ n.</summary>
    public static double BinomialCdf(int n, double p, int j)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (p is < 0 or > 1 || double.IsNaN(p))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "a probability is in [0, 1]");
        }

        if (j < 0)
        {
            return 0;
        }

        if (j >= n || p == 0)
        {
            return 1;
        }

        if (p == 1)
        {
            return 0;
        }

        double logP = Math.Log(p), logQ = Log1P(-p);
        double logPmf = n * logQ;
        double max = logPmf;
        var terms = new double[j + 1];
        terms[0] = logPmf;
        for (int i = 0; i < j; i++)
        {
            logPmf += Math.Log(n - i) - Math.Log(i + 1) + logP - logQ;
            terms[i + 1] = logPmf;
            max = Math.Max(max, logPmf);
        }

        double sum = 0;
        foreach (double t in terms)
        {
            sum += Math.Exp(t - max);
        }

        return Math.Min(1.0, Math.Exp(max + Math.Log(sum)));
    }

    /// <summary>The rank the marginal conformal rule cuts at: p ≤ α ⇔ at most ⌊α(n + 1)⌋ − 1 calibration scores at or above.</summary>
    public static int MarginalRank(int n, double alpha) => Math.Min(n, (int)Math.Floor((alpha * (n + 1)) + 1e-12));

    /// <summary>
    /// The largest rank r whose cut leaves a realized rate above <paramref name="alpha"/> with probability at most
    /// <paramref name="delta"/> over the calibration draw: P(Binomial(n, α) ≤ r − 1) ≤ δ. 0 when even r = 1 cannot
    /// (the calibration is too small for this budget at this confidence: nothing may be quarantined).
    /// </summary>
    public static int ConfidentRank(int n, double alpha, double delta)
    {
        Check(alpha, delta);
        int r = 0;
        while (r < n && BinomialCdf(n, alpha, r) <= delta)
        {
            r++;
        }

        return r;
    }

    /// <summary>The p-value level of <see cref="ConfidentRank"/>: quarantine when p ≤ r / (n + 1); 0 when r is 0.</summary>
    public static double ConfidentLevel(int n, double alpha, double delta) => ConfidentRank(n, alpha, delta) / (double)(n + 1);

    /// <summary>P(realized rate &gt; α) for a cut at rank <paramref name="rank"/> of n calibration scores.</summary>
    public static double Exceedance(int n, int rank, double alpha) => rank <= 0 ? 0 : BinomialCdf(n, alpha, rank - 1);

    /// <summary>The q-quantile of the realized rate of a cut at rank r of n (Beta(r, n + 1 − r)), by bisection on the binomial tail.</summary>
    public static double RealizedQuantile(int n, int rank, double q)
    {
        if (rank <= 0)
        {
            return 0;
        }

        // P(rate ≤ x) = P(Binomial(n, x) ≥ r) = 1 − BinomialCdf(n, x, r − 1), increasing in x.
        double lo = 0, hi = 1;
        for (int i = 0; i < 200 && hi - lo > 1e-15; i++)
        {
            double mid = (lo + hi) / 2;
            if (1 - BinomialCdf(n, mid, rank - 1) < q)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return (lo + hi) / 2;
    }

    /// <summary>The fewest calibration scores for which <see cref="ConfidentRank"/> is at least 1: (1 − α)^n ≤ δ.</summary>
    public static int ScoresNeeded(double alpha, double delta)
    {
        Check(alpha, delta);
        return (int)Math.Ceiling(Math.Log(delta) / Log1P(-alpha));
    }

    /// <summary>log(1 + x), accurate for small |x| (where 1 + x loses the digits that matter).</summary>
    private static double Log1P(double x) => Math.Abs(x) < 1e-4 ? x - (x * x / 2) + (x * x * x / 3) - (x * x * x * x / 4) : Math.Log(1 + x);

    private static void Check(double alpha, double delta)
    {
        if (alpha is <= 0 or >= 1 || double.IsNaN(alpha))
        {
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "the budget is in (0, 1)");
        }

        if (delta is <= 0 or >= 1 || double.IsNaN(delta))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "the allowed chance of exceeding the budget is in (0, 1)");
        }
    }
}
