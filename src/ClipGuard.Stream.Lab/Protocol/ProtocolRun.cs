using System.Numerics.Tensors;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Offline.Cleaning;
using ClipGuard.Stream.Offline.Training;

namespace ClipGuard.Stream.Lab.Protocol;

/// <summary>
/// The paper's protocol on one embedded dataset (<c>clipguard embed</c>'s output) with its labels: every detector in
/// the image space, and in the image+text space when captions were embedded.
/// </summary>
public static class ProtocolRun
{
    /// <exception cref="InvalidDataException">A key without a label, or labels of one class only.</exception>
    public static IReadOnlyList<ProtocolRow> Measure(string embeddings, string labelsPath, PaperProtocolOptions options, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        (Matrix<float> images, Matrix<float>? texts, string[] keys) = Load(EmbeddingSet.Open(embeddings));
        IReadOnlyDictionary<string, bool> truth = LabelFile.Read(labelsPath);
        int[] labels = [.. keys.Select(k => truth.TryGetValue(k, out bool poisoned) ? (poisoned ? 1 : 0) : throw new InvalidDataException($"{labelsPath}: no label for the embedded sample '{k}'"))];
        if (labels.Sum() is 0 || labels.Sum() == labels.Length)
        {
            throw new InvalidDataException($"{labelsPath}: the {labels.Length} embedded samples are all of one class; the protocol needs poisoned and clean ones");
        }

        PaperProtocolScores scores = PaperProtocol.Score(images, texts, options, progress);
        var rows = new List<ProtocolRow>();
        foreach (OutlierDetector detector in Enum.GetValues<OutlierDetector>())
        {
            rows.Add(ProtocolRow.Measure(ProtocolRow.ImageSpace, detector, scores.Image, labels, options));
            if (scores.ImageText is { } both)
            {
                rows.Add(ProtocolRow.Measure(ProtocolRow.ImageTextSpace, detector, both, labels, options));
            }
        }

        if (texts is not null)
        {
            rows.Add(ProtocolRow.Measure(ProtocolRow.PairSpace, ProtocolRow.Disagreement, Disagreement(images, texts), labels, options));
        }

        return rows;
    }

    /// <summary>1 − cos(image, own caption) of every row.</summary>
    public static double[] Disagreement(Matrix<float> images, Matrix<float> texts)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        var result = new double[images.Rows];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = 1 - TensorPrimitives.CosineSimilarity(images.RowReadOnly(i), texts.RowReadOnly(i));
        }

        return result;
    }

    /// <summary>Every shard's image rows (and caption rows, when every shard has them) and keys, in row order.</summary>
    private static (Matrix<float> Images, Matrix<float>? Texts, string[] Keys) Load(EmbeddingSet set)
    {
        int n = checked((int)set.Total), d = set.Manifest.Dimension;
        var images = new Matrix<float>(n, d);
        Matrix<float>? texts = Enumerable.Range(0, set.Shards.Count).All(i => File.Exists(set.Layout.TextEmbeddings(i))) ? new Matrix<float>(n, d) : null;
        var keys = new string[n];
        for (int i = 0; i < set.Shards.Count; i++)
        {
            int offset = checked((int)set.Offsets[i]);
            set.ReadImages(i).Data.CopyTo(images.Data, (long)offset * d);
            if (texts is not null)
            {
                Matrix<float> t = Npy.ReadMatrixSingle(set.Layout.TextEmbeddings(i));
                if (t.Rows != set.Shards[i].Samples || (t.Rows > 0 && t.Cols != d))
                {
                    throw new InvalidDataException($"{set.Layout.TextEmbeddings(i)} has shape [{t.Rows}, {t.Cols}], its stats say [{set.Shards[i].Samples}, {d}]");
                }

                t.Data.CopyTo(texts.Data, (long)offset * d);
            }

            var metadata = set.ReadMetadata(i);
            for (int j = 0; j < metadata.Count; j++)
            {
                keys[offset + j] = metadata[j].Key ?? throw new InvalidDataException($"{set.Layout.Metadata(i)}: row {j} has no key");
            }
        }

        return (images, texts, keys);
    }
}
