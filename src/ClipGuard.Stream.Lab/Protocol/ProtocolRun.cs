using ClipGuard.Stream.Core.Calibration;
using ClipGuard.Stream.Core.Evaluation;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Lab.Evaluation;
using ClipGuard.Stream.Offline.Cleaning;
using ClipGuard.Stream.Offline.Training;

namespace ClipGuard.Stream.Lab.Protocol;

/// <summary>
/// The paper's protocol on one embedded dataset (<c>clipguard embed</c>'s output) with its labels: every detector in
/// the image space, and in the image+text space when captions were embedded.
/// </summary>
public static class ProtocolRun
{
    /// <param name="plotPrefix">When given, ROC and precision-recall curves of every row are saved as
    /// <c>{plotPrefix}-roc.png</c> and <c>{plotPrefix}-pr.png</c>.</param>
    /// <exception cref="InvalidDataException">A key without a label, or labels of one class only.</exception>
    public static IReadOnlyList<ProtocolRow> Measure(string embeddings, string labelsPath, PaperProtocolOptions options, string? plotPrefix = null, IProgress<double>? progress = null)
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
        var signals = new List<(string Space, string Detector, double[] Values)>();
        foreach (OutlierDetector detector in Enum.GetValues<OutlierDetector>())
        {
            signals.Add((ProtocolRow.ImageSpace, BatchDetection.Name(detector), [.. scores.Image.Select(s => s.Get(detector))]));
            if (scores.ImageText is { } both)
            {
                signals.Add((ProtocolRow.ImageTextSpace, BatchDetection.Name(detector), [.. both.Select(s => s.Get(detector))]));
            }
        }

        if (texts is not null)
        {
            signals.Add((ProtocolRow.PairSpace, ProtocolRow.Disagreement, Disagreement(images, texts)));
        }

        if (plotPrefix is not null)
        {
            Plot(plotPrefix, signals, labels);
        }

        return [.. signals.Select(s => ProtocolRow.Measure(s.Space, s.Detector, s.Values, labels, options))];
    }

    private static void Plot(string prefix, List<(string Space, string Detector, double[] Values)> signals, int[] labels)
    {
        var roc = new List<RocSeries>();
        var pr = new List<RocSeries>();
        foreach (var (space, detector, values) in signals)
        {
            string label = $"{space}: {detector}";
            var (fpr, tpr) = DetectionMetrics.RocCurve(values, labels);
            roc.Add(new RocSeries(label, fpr, tpr));
            var (recall, precision) = DetectionMetrics.PrecisionRecallCurve(values, labels);
            pr.Add(new RocSeries(label, recall, precision));
        }

        string name = Path.GetFileName(prefix);
        RocPlot.Save(prefix + "-roc.png", $"ROC, the paper's protocol: {name}", roc);
        RocPlot.SavePrecisionRecall(prefix + "-pr.png", $"Precision-recall, the paper's protocol: {name}", pr);
    }

    /// <summary>1 − cos(image, own caption) of every row.</summary>
    public static double[] Disagreement(Matrix<float> images, Matrix<float> texts)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(texts);
        var result = new double[images.Rows];
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = PairAgreement.Disagreement(images.RowReadOnly(i), texts.RowReadOnly(i));
        }

        return result;
    }

    /// <summary>Every shard's image rows (and caption rows, when every shard has them) and keys, in row order.</summary>
    public static (Matrix<float> Images, Matrix<float>? Texts, string[] Keys) Load(EmbeddingSet set)
    {
        int n = checked((int)set.Total), d = set.Manifest.Dimension;
        var images = new Matrix<float>(n, d);
        Matrix<float>? texts = set.HasTexts ? new Matrix<float>(n, d) : null;
        var keys = new string[n];
        for (int i = 0; i < set.Shards.Count; i++)
        {
            int offset = checked((int)set.Offsets[i]);
            set.ReadImages(i).Data.CopyTo(images.Data, (long)offset * d);
            if (texts is not null)
            {
                set.ReadTexts(i).Data.CopyTo(texts.Data, (long)offset * d);
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
