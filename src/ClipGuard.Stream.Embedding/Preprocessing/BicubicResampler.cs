namespace ClipGuard.Stream.Embedding.Preprocessing;

/// <summary>
/// Separable bicubic resampling as Pillow does it for OpenCLIP's Resize: the Keys kernel with a = -0.5, widened by
/// the scale factor when shrinking (antialiasing), weights normalised per output pixel; computed in float, so
/// without Pillow's 8-bit rounding between the two passes.
/// </summary>
internal static class BicubicResampler
{
    private const double A = -0.5;
    private const double Support = 2.0;

    public static double Kernel(double x)
    {
        x = Math.Abs(x);
        if (x < 1)
        {
            return ((A + 2) * x - (A + 3)) * x * x + 1;
        }

        return x < 2 ? (((x - 5) * x + 8) * x - 4) * A : 0;
    }

    /// <summary>
    /// For output indices <paramref name="first"/> .. first + count - 1 of a resize from inSize to outSize: first
    /// input index and normalised weights (Pillow's precompute_coeffs), only for the window a crop keeps.
    /// </summary>
    public static (int[] Start, float[][] Weights) Coefficients(int inSize, long outSize, long first, int count)
    {
        double scale = (double)inSize / outSize;
        double filterScale = Math.Max(scale, 1.0);
        double support = Support * filterScale;
        var start = new int[count];
        var weights = new float[count][];
        for (int j = 0; j < count; j++)
        {
            long o = first + j;
            double center = (o + 0.5) * scale;
            int lo = Math.Max((int)(center - support + 0.5), 0);
            int hi = Math.Min((int)(center + support + 0.5), inSize);
            var w = new double[hi - lo];
            double sum = 0;
            for (int i = 0; i < w.Length; i++)
            {
                w[i] = Kernel((i + lo - center + 0.5) / filterScale);
                sum += w[i];
            }

            start[j] = lo;
            weights[j] = w.Select(v => (float)(sum == 0 ? 0 : v / sum)).ToArray();
        }

        return (start, weights);
    }
}
