namespace ClipGuard.Stream.Core.Calibration;

/// <summary>The pair's own image–caption signal: how far an image is from its caption in the model's joint space.</summary>
public static class PairAgreement
{
    /// <summary>
    /// 1 − cos(image, caption) in [0, 2]: near 0 for a pair the model agrees with, large for a misaligned one (a poison
    /// the model has not learned, or a caption that does not describe its image). NaN when either vector is missing,
    /// of another length, zero or not finite.
    /// </summary>
    public static double Disagreement(ReadOnlySpan<float> image, ReadOnlySpan<float> caption)
    {
        if (image.Length == 0 || image.Length != caption.Length)
        {
            return double.NaN;
        }

        double dot = 0, ii = 0, cc = 0;
        for (int i = 0; i < image.Length; i++)
        {
            dot += (double)image[i] * caption[i];
            ii += (double)image[i] * image[i];
            cc += (double)caption[i] * caption[i];
        }

        double norm = Math.Sqrt(ii * cc);
        return norm > 0 && double.IsFinite(norm) && double.IsFinite(dot) ? 1.0 - Math.Clamp(dot / norm, -1.0, 1.0) : double.NaN;
    }

    /// <summary>The vector scaled to unit length; null when it is empty, zero or not finite.</summary>
    public static float[]? Unit(ReadOnlySpan<float> v)
    {
        float norm = System.Numerics.Tensors.TensorPrimitives.Norm(v);
        if (v.IsEmpty || !(norm > 0) || !float.IsFinite(norm))
        {
            return null;
        }

        var u = new float[v.Length];
        System.Numerics.Tensors.TensorPrimitives.Divide(v, norm, u);
        return u;
    }
}
