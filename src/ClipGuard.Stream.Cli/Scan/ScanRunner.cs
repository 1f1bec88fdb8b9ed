using System.Globalization;
using System.Numerics;
using ClipGuard.Stream.Core.Evaluation;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Cli.Scan;

/// <summary>
/// Scores a .npy of embeddings leave-one-out or against a reference and writes `index,score` per row. Float64 input
/// is scored in float64 end to end; float16/float32 in float32 (distances are always refined in float64).
/// </summary>
internal static class ScanRunner
{
    public const int ExitOk = 0;
    public const int ExitBadInput = 2;

    public static int Run(ScanSettings settings, TextWriter stdout, TextWriter stderr, IProgress<double>? progress)
    {
        try
        {
            bool wide = IsFloat64(settings.Embeddings) || (settings.Reference is not null && IsFloat64(settings.Reference));
            double[] scores = wide ? Score<double>(settings, Npy.ReadMatrixDouble, progress) : Score<float>(settings, Npy.ReadMatrixSingle, progress);
            WriteCsv(settings.Out, scores);
            stderr.WriteLine($"scan: {scores.Length} rows scored with {settings.Detector.ToString().ToLowerInvariant()}, k = {settings.K}, {settings.Metric.ToString().ToLowerInvariant()} -> {settings.Out}");
            if (settings.Labels is not null)
            {
                int[] labels = Npy.ReadLabels(settings.Labels);
                if (labels.Length != scores.Length)
                {
                    throw new ScoringInputException($"{settings.Labels} has {labels.Length} labels for {scores.Length} rows");
                }

                DetectionReport r;
                try
                {
                    r = DetectionMetrics.Report(scores, labels);
                }
                catch (ArgumentException e)
                {
                    throw new ScoringInputException($"{settings.Labels}: {e.Message}");
                }

                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"AUROC {r.Auroc:F4}  PR-AUC {r.PrAuc:F4}  FPR@95%TPR {r.FprAt95Tpr:F4}  ({r.Positives} positives, {r.Negatives} negatives)"));
            }

            return ExitOk;
        }
        catch (Exception e) when (e is NpyFormatException or ScoringInputException)
        {
            stderr.WriteLine($"clipguard scan: {e.Message}");
            return ExitBadInput;
        }
    }

    private static bool IsFloat64(string path) => Npy.ReadHeader(path).Descr.EndsWith("f8", StringComparison.Ordinal);

    private static double[] Score<T>(ScanSettings s, Func<string, Matrix<T>> read, IProgress<double>? progress)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        Matrix<T> x = Checked(read(s.Embeddings), s.Embeddings);
        QueryResult[] results;
        if (s.Reference is null)
        {
            results = BatchScorer.LeaveOneOut(x, s.K, s.Metric, s.Threads, progress);
        }
        else
        {
            Matrix<T> r = Checked(read(s.Reference), s.Reference);
            if (r.Cols != x.Cols)
            {
                throw new ScoringInputException($"dimension mismatch: {s.Embeddings} has d = {x.Cols}, {s.Reference} has d = {r.Cols}");
            }

            results = BatchScorer.Novelty(x, r, s.K, s.Metric, s.Threads, progress);
        }

        return results.Select(q => q.Scores.Get(s.Detector)).ToArray();
    }

    private static Matrix<T> Checked<T>(Matrix<T> m, string path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        int bad = m.FirstNonFiniteRow();
        if (bad >= 0)
        {
            throw new ScoringInputException($"{path}: row {bad} holds NaN or infinity");
        }

        if (m.Rows == 0)
        {
            throw new ScoringInputException($"{path} has no rows");
        }

        return m;
    }

    private static void WriteCsv(string path, double[] scores)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        string tmp = path + ".tmp";
        using (var w = new StreamWriter(tmp))
        {
            w.WriteLine("index,score");
            for (int i = 0; i < scores.Length; i++)
            {
                w.Write(i.ToString(CultureInfo.InvariantCulture));
                w.Write(',');
                w.WriteLine(scores[i].ToString("R", CultureInfo.InvariantCulture));
            }
        }

        File.Move(tmp, path, overwrite: true);
    }
}
