using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Lab.Protocol;

/// <summary>
/// The paper's batch protocol: the dataset is shuffled and cut into batches of about <see cref="PaperProtocolOptions.BatchSize"/>;
/// every sample is scored once, leave-one-out, against its own batch (Euclidean, unnormalised embeddings). In the image
/// space the batch is its images; in the image+text space it is the batch's images and captions together, and only
/// the images are scored (the sample itself is masked by identity; its own caption stays in the pool, as it does in
/// the paper's gathered batch).
/// </summary>
public static class PaperProtocol
{
    /// <summary>Scores of every sample in dataset order, per space (image; image+text when <paramref name="texts"/> is given).</summary>
    /// <exception cref="ArgumentException">Shapes disagree, or a batch is not larger than k.</exception>
    public static PaperProtocolScores Score(Matrix<float> images, Matrix<float>? texts, PaperProtocolOptions options, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (texts is not null && (texts.Rows != images.Rows || texts.Cols != images.Cols))
        {
            throw new ArgumentException($"text embeddings are [{texts.Rows}, {texts.Cols}], image embeddings [{images.Rows}, {images.Cols}]", nameof(texts));
        }

        List<int[]> batches = Batches(images.Rows, options.BatchSize, options.Seed);
        if (batches.Min(b => b.Length) <= options.K)
        {
            throw new ArgumentException($"{images.Rows} samples make a batch of {batches.Min(b => b.Length)}, which needs more than k = {options.K} members", nameof(images));
        }

        var image = new OutlierScores[images.Rows];
        OutlierScores[]? imageText = texts is null ? null : new OutlierScores[images.Rows];
        for (int b = 0; b < batches.Count; b++)
        {
            int[] rows = batches[b];
            QueryResult[] alone = BatchScorer.LeaveOneOut(Gather(images, null, rows), options.K, DistanceMetric.Euclidean, options.Threads);
            for (int j = 0; j < rows.Length; j++)
            {
                image[rows[j]] = alone[j].Scores;
            }

            if (texts is not null)
            {
                QueryResult[] both = BatchScorer.LeaveOneOut(Gather(images, texts, rows), options.K, DistanceMetric.Euclidean, options.Threads);
                for (int j = 0; j < rows.Length; j++)
                {
                    imageText![rows[j]] = both[j].Scores;
                }
            }

            progress?.Report((b + 1.0) / batches.Count);
        }

        return new PaperProtocolScores(image, imageText, batches.Count);
    }

    /// <summary>
    /// A seeded shuffle of 0..n-1 cut into batches of <paramref name="size"/>; a last batch shorter than half a batch joins
    /// the one before it, so no sample is scored against a handful of others.
    /// </summary>
    public static List<int[]> Batches(int n, int size, int seed)
    {
        int[] order = [.. Enumerable.Range(0, n)];
        new Random(seed).Shuffle(order);
        var batches = new List<int[]>();
        for (int start = 0; start < n; start += size)
        {
            batches.Add(order[start..Math.Min(n, start + size)]);
        }

        if (batches.Count > 1 && batches[^1].Length < size / 2)
        {
            batches[^2] = [.. batches[^2], .. batches[^1]];
            batches.RemoveAt(batches.Count - 1);
        }

        return batches;
    }

    /// <summary>The batch's image rows, followed by its caption rows when <paramref name="texts"/> is given.</summary>
    private static Matrix<float> Gather(Matrix<float> images, Matrix<float>? texts, int[] rows)
    {
        int d = images.Cols;
        var m = new Matrix<float>(texts is null ? rows.Length : 2 * rows.Length, d);
        for (int j = 0; j < rows.Length; j++)
        {
            images.RowReadOnly(rows[j]).CopyTo(m.Row(j));
            if (texts is not null)
            {
                texts.RowReadOnly(rows[j]).CopyTo(m.Row(rows.Length + j));
            }
        }

        return m;
    }
}
