namespace ClipGuard.Stream.Embedding.Training;

/// <summary>How well a model matches training images to their own captions: the cosine of each pair's two embeddings.</summary>
public static class AlignmentProbe
{
    /// <summary>Per row of <paramref name="rows"/>, cos(image, own caption) under the model as it is now.</summary>
    public static double[] OwnCaptionCosines(ClipEmbedder embedder, TrainingPairs pairs, IReadOnlyList<int> rows, int batch = 256)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(rows);
        var cosines = new double[rows.Count];
        for (int start = 0; start < rows.Count; start += batch)
        {
            int[] part = [.. rows.Skip(start).Take(batch)];
            float[][] images = embedder.EncodeImages([.. part.Select(pairs.Image)]);
            float[][] texts = embedder.EncodeTokens([.. part.Select(pairs.CaptionTokens)]);
            for (int i = 0; i < part.Length; i++)
            {
                cosines[start + i] = Cosine(images[i], texts[i]);
            }
        }

        return cosines;
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * (double)b[i];
            na += a[i] * (double)a[i];
            nb += b[i] * (double)b[i];
        }

        return na > 0 && nb > 0 ? dot / Math.Sqrt(na * nb) : 0;
    }
}
