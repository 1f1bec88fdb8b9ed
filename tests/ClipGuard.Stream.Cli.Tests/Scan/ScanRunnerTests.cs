using System.Globalization;
using ClipGuard.Stream.Cli.Scan;
using ClipGuard.Stream.Core.Evaluation;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Cli.Tests.Scan;

public sealed class ScanRunnerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-scan-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LeaveOneOutWritesOneRowPerInputRowInOrder()
    {
        string r = FixturePath("lof", "R.npy");
        (int rc, string stdout, string stderr) = Run(new ScanSettings(r, null, OutlierDetector.Lof, 5, DistanceMetric.Euclidean, null, Out(), 1));
        Assert.Equal(0, rc);
        Assert.Empty(stdout);
        Assert.Contains("400 rows scored", stderr, StringComparison.Ordinal);
        string[] lines = File.ReadAllLines(Out());
        Assert.Equal("index,score", lines[0]);
        Assert.Equal(401, lines.Length);
        double[] expected = Npy.ReadVector(FixturePath("lof", "loo_lof.npy"));
        for (int i = 0; i < 400; i++)
        {
            string[] cells = lines[i + 1].Split(',');
            Assert.Equal(i.ToString(CultureInfo.InvariantCulture), cells[0]);
            Assert.Equal(expected[i], double.Parse(cells[1], CultureInfo.InvariantCulture), 1e-9 * expected[i]);
        }
    }

    [Fact]
    public void NoveltyAgainstAReferenceScoresTheQueries()
    {
        (int rc, _, _) = Run(new ScanSettings(FixturePath("lof", "Q.npy"), FixturePath("lof", "R.npy"), OutlierDetector.Dao, 5, DistanceMetric.Euclidean, null, Out(), 1));
        Assert.Equal(0, rc);
        double[] expected = Npy.ReadVector(FixturePath("lof", "novelty_dao.npy"));
        double[] ours = File.ReadAllLines(Out()).Skip(1).Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected.Length, ours.Length);
        for (int i = 0; i < ours.Length; i++)
        {
            Assert.True(Math.Abs(ours[i] - expected[i]) <= 1e-6 * expected[i], $"row {i}: {ours[i]} vs {expected[i]}");
        }
    }

    [Fact]
    public void LabelsPrintAurocPrAucAndFprAt95()
    {
        (Matrix<float> data, int[] labels) = SyntheticEmbeddings.Generate(3000, 32, 12, 0.02, 3);
        string x = Path.Combine(_dir, "x.npy"), y = Path.Combine(_dir, "y.npy");
        Npy.Write(x, data);
        Npy.WriteLabels(y, labels);
        (int rc, string stdout, _) = Run(new ScanSettings(x, null, OutlierDetector.Dao, 16, DistanceMetric.Euclidean, y, Out(), 2));
        Assert.Equal(0, rc);
        double[] scores = File.ReadAllLines(Out()).Skip(1).Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture)).ToArray();
        DetectionReport report = DetectionMetrics.Report(scores, labels);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"AUROC {report.Auroc:F4}"), stdout, StringComparison.Ordinal);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"PR-AUC {report.PrAuc:F4}"), stdout, StringComparison.Ordinal);
        Assert.Contains("FPR@95%TPR", stdout, StringComparison.Ordinal);
        Assert.True(report.Auroc > 0.99, $"planted outliers should be found: {report}");
    }

    [Fact]
    public void Float16InputIsScored()
    {
        (int rc, _, string stderr) = Run(new ScanSettings(FixturePath("npy", "f2_2x4.npy"), null, OutlierDetector.KDist, 1, DistanceMetric.Euclidean, null, Out(), 1));
        Assert.Equal(0, rc);
        Assert.Contains("2 rows scored", stderr, StringComparison.Ordinal);
    }

    public static TheoryData<string, string?, int, string> BadInputs => new()
    {
        { "missing.npy", null, 5, "file not found" },
        { "npy/not_npy.npy", null, 5, "not a NumPy" },
        { "npy/i4_2x3.npy", null, 1, "dtype" },
        { "npy/f8_1d.npy", null, 1, "2-D" },
        { "npy/f8_3d.npy", null, 1, "2-D" },
        { "npy/truncated_f4.npy", null, 1, "truncated" },
        { "npy/f8_nonfinite.npy", null, 1, "NaN or infinity" },
        { "lof/Q.npy", "npy/f8_2x3.npy", 1, "dimension mismatch" },
        { "lof/R.npy", null, 400, "must be smaller than the number of reference points (400)" },
        { "lof/Q.npy", "lof/Q.npy", 80, "must be smaller than the number of reference points (80)" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void BadInputIsOneLineAndExitCodeTwo(string embeddings, string? reference, int k, string expected)
    {
        string x = embeddings.StartsWith("missing", StringComparison.Ordinal) ? Path.Combine(_dir, embeddings) : FixturePath(embeddings.Split('/'));
        string? r = reference is null ? null : FixturePath(reference.Split('/'));
        (int rc, string stdout, string stderr) = Run(new ScanSettings(x, r, OutlierDetector.Lof, k, DistanceMetric.Euclidean, null, Out(), 1));
        Assert.Equal(2, rc);
        Assert.Empty(stdout);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Out()), "no output file is written for bad input");
    }

    [Fact]
    public void LabelCountMismatchIsBadInput()
    {
        (int rc, _, string stderr) = Run(new ScanSettings(FixturePath("lof", "R.npy"), null, OutlierDetector.Lof, 5, DistanceMetric.Euclidean, FixturePath("npy", "labels_u1.npy"), Out(), 1));
        Assert.Equal(2, rc);
        Assert.Contains("labels for 400 rows", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroVectorUnderCosineIsBadInput()
    {
        var m = new Matrix<float>(20, 3);
        for (int i = 1; i < 20; i++)
        {
            m.Row(i)[0] = i;
            m.Row(i)[1] = i % 3;
        }

        string x = Path.Combine(_dir, "zero.npy");
        Npy.Write(x, m);
        (int rc, _, string stderr) = Run(new ScanSettings(x, null, OutlierDetector.Lof, 3, DistanceMetric.Cosine, null, Out(), 1));
        Assert.Equal(2, rc);
        Assert.Contains("row 0 has zero norm", stderr, StringComparison.Ordinal);
    }

    private static string FixturePath(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Fixtures", .. parts]);

    private string Out() => Path.Combine(_dir, "scores.csv");

    private static (int Rc, string Stdout, string Stderr) Run(ScanSettings settings)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int rc = ScanRunner.Run(settings, stdout, stderr, null);
        return (rc, stdout.ToString(), stderr.ToString());
    }
}
