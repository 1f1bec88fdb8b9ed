using ClipGuard.Stream.Lab.Data;

namespace ClipGuard.Stream.Lab.StandIn;

/// <summary>
/// The lab's stand-in for CLIP where no trained checkpoint exists (`clipguard demo` without one): a joint image-text
/// vector made of a Fashion-MNIST image's 2x2 average-pooled pixels (unit length) and the caption's content words as a
/// bag of words over the crawl's own vocabulary (length <see cref="CaptionWeight"/>). It is not CLIP and knows nothing of triggers: what it exposes is
/// the poisoned pairs' image-caption mismatch, which puts each of them in a sparse neighbourhood of the clean pairs.
/// </summary>
public sealed class PixelCaptionFeatures
{
    public const double CaptionWeight = 0.5;
    private const int Pool = 2;
    private const int PooledSide = FashionMnist.Side / Pool;

    private static readonly HashSet<string> StopWords = ["a", "an", "the", "of", "photo", "on", "in", "with"];

    private readonly Dictionary<string, int> _vocabulary;

    public PixelCaptionFeatures(IEnumerable<string> captions)
    {
        _vocabulary = captions.SelectMany(Words).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)
            .Select((w, i) => (w, i)).ToDictionary(p => p.w, p => p.i, StringComparer.Ordinal);
    }

    public int Dimension => (PooledSide * PooledSide) + _vocabulary.Count;

    public float[] Embed(byte[] pixels, string caption)
    {
        var v = new float[Dimension];
        for (int y = 0; y < PooledSide; y++)
        {
            for (int x = 0; x < PooledSide; x++)
            {
                int sum = 0;
                for (int dy = 0; dy < Pool; dy++)
                {
                    for (int dx = 0; dx < Pool; dx++)
                    {
                        sum += pixels[(((y * Pool) + dy) * FashionMnist.Side) + (x * Pool) + dx];
                    }
                }

                v[(y * PooledSide) + x] = sum;
            }
        }

        Normalize(v.AsSpan(0, PooledSide * PooledSide), 1.0);
        foreach (string word in Words(caption))
        {
            if (_vocabulary.TryGetValue(word, out int slot))
            {
                v[(PooledSide * PooledSide) + slot] += 1;
            }
        }

        Normalize(v.AsSpan(PooledSide * PooledSide), CaptionWeight);
        return v;
    }

    private static IEnumerable<string> Words(string caption) =>
        caption.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => !StopWords.Contains(w));

    private static void Normalize(Span<float> part, double length)
    {
        double norm = 0;
        foreach (float x in part)
        {
            norm += (double)x * x;
        }

        if (norm == 0)
        {
            return;
        }

        float scale = (float)(length / Math.Sqrt(norm));
        for (int i = 0; i < part.Length; i++)
        {
            part[i] *= scale;
        }
    }
}
