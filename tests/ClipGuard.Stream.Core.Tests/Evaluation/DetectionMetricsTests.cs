using System.Text.Json;
using ClipGuard.Stream.Core.Evaluation;
using Xunit;

namespace ClipGuard.Stream.Core.Tests.Evaluation;

public sealed class DetectionMetricsTests
{
    private const double Tolerance = 1e-12;

    private static readonly Dictionary<string, JsonElement> Cases = LoadCases();

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Matches_sklearn(string name)
    {
        (double[] scores, int[] labels) = Data(name);
        JsonElement expected = Cases[name];

        Assert.Equal(expected.GetProperty("auroc").GetDouble(), DetectionMetrics.Auroc(scores, labels), Tolerance);
        Assert.Equal(expected.GetProperty("average_precision").GetDouble(), DetectionMetrics.AveragePrecision(scores, labels), Tolerance);
        Assert.Equal(expected.GetProperty("fpr_at_95_tpr").GetDouble(), DetectionMetrics.FprAtTpr(scores, labels), Tolerance);
        Assert.Equal(expected.GetProperty("fpr_at_80_tpr").GetDouble(), DetectionMetrics.FprAtTpr(scores, labels, 0.80), Tolerance);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Report_combines_the_three_metrics_and_counts(string name)
    {
        (double[] scores, int[] labels) = Data(name);

        DetectionReport report = DetectionMetrics.Report(scores, labels);

        Assert.Equal(DetectionMetrics.Auroc(scores, labels), report.Auroc);
        Assert.Equal(DetectionMetrics.AveragePrecision(scores, labels), report.PrAuc);
        Assert.Equal(DetectionMetrics.FprAtTpr(scores, labels, 0.95), report.FprAt95Tpr);
        Assert.Equal(labels.Count(l => l == 1), report.Positives);
        Assert.Equal(labels.Count(l => l == 0), report.Negatives);
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Order_of_samples_does_not_matter(string name)
    {
        // Tied scores must act as one threshold whichever way the sort leaves them.
        (double[] scores, int[] labels) = Data(name);
        var rng = new Random(7);
        int[] order = Enumerable.Range(0, scores.Length).OrderBy(_ => rng.Next()).ToArray();
        double[] s2 = order.Select(i => scores[i]).ToArray();
        int[] l2 = order.Select(i => labels[i]).ToArray();

        Assert.Equal(DetectionMetrics.Report(scores, labels), DetectionMetrics.Report(s2, l2));
    }

    [Fact]
    public void Auroc_equals_pairwise_count_with_ties_as_half()
    {
        var rng = new Random(11);
        double[] scores = Enumerable.Range(0, 300).Select(_ => (double)rng.Next(0, 12)).ToArray();
        int[] labels = scores.Select(s => rng.NextDouble() < 0.2 + (s / 30) ? 1 : 0).ToArray();

        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < scores.Length; i++)
        {
            for (int j = 0; j < scores.Length; j++)
            {
                if (labels[i] == 1 && labels[j] == 0)
                {
                    pairs++;
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
            }
        }

        Assert.Equal(wins / pairs, DetectionMetrics.Auroc(scores, labels), Tolerance);
    }

    [Fact]
    public void Perfect_ranking_scores_best_and_reversed_ranking_worst()
    {
        double[] scores = [0.1, 0.2, 0.3, 0.9, 0.8];
        int[] labels = [0, 0, 0, 1, 1];
        int[] flipped = [1, 1, 1, 0, 0];

        Assert.Equal(new DetectionReport(1.0, 1.0, 0.0, 2, 3), DetectionMetrics.Report(scores, labels));
        Assert.Equal(0.0, DetectionMetrics.Auroc(scores, flipped));
        Assert.Equal(1.0, DetectionMetrics.FprAtTpr(scores, flipped));
    }

    [Fact]
    public void Fpr_is_taken_at_the_first_threshold_reaching_the_target()
    {
        // Thresholds from the top, as (TPR, FPR): 0.9 (1/3, 0), 0.8 (1/3, 1/3), 0.7 (2/3, 1/3), 0.6 (2/3, 2/3),
        // 0.5 (1, 2/3), 0.1 (1, 1).
        double[] scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.1];
        int[] labels = [1, 0, 1, 0, 1, 0];

        Assert.Equal(2.0 / 3.0, DetectionMetrics.FprAtTpr(scores, labels, 0.95));
        Assert.Equal(1.0 / 3.0, DetectionMetrics.FprAtTpr(scores, labels, 2.0 / 3.0));
        Assert.Equal(0.0, DetectionMetrics.FprAtTpr(scores, labels, 0.3));
    }

    public static TheoryData<double[], int[], string> BadInputs => new()
    {
        { [], [], "empty" },
        { [0.1, 0.2], [0], "2 scores but 1 labels" },
        { [0.1, 0.2], [1, 1], "both classes" },
        { [0.1, 0.2], [0, 0], "both classes" },
        { [0.1, 0.2, 0.3], [0, 2, 1], "label at index 1 is 2" },
        { [0.1, double.NaN], [0, 1], "score at index 1 is NaN" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Bad_input_is_rejected_with_a_clear_message(double[] scores, int[] labels, string fragment)
    {
        Assert.Contains(fragment, Assert.ThrowsAny<ArgumentException>(() => DetectionMetrics.Auroc(scores, labels)).Message);
        Assert.Contains(fragment, Assert.ThrowsAny<ArgumentException>(() => DetectionMetrics.AveragePrecision(scores, labels)).Message);
        Assert.Contains(fragment, Assert.ThrowsAny<ArgumentException>(() => DetectionMetrics.FprAtTpr(scores, labels)).Message);
        Assert.Contains(fragment, Assert.ThrowsAny<ArgumentException>(() => DetectionMetrics.Report(scores, labels)).Message);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Target_tpr_outside_zero_one_is_rejected(double tpr)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => DetectionMetrics.FprAtTpr([0.1, 0.2], [0, 1], tpr));
    }

    [Fact]
    public void Roc_curve_steps_once_per_distinct_score_and_its_area_is_the_auroc()
    {
        double[] scores = [0.9, 0.8, 0.8, 0.5, 0.3, 0.1];
        int[] labels = [1, 1, 0, 0, 1, 0];
        (double[] fpr, double[] tpr) = DetectionMetrics.RocCurve(scores, labels);
        // Distinct thresholds 0.9, 0.8 (one positive and one negative tied), 0.5, 0.3, 0.1, after the (0, 0) start.
        Assert.Equal([0, 0, 1 / 3.0, 2 / 3.0, 2 / 3.0, 1], fpr);
        Assert.Equal([0, 1 / 3.0, 2 / 3.0, 2 / 3.0, 1, 1], tpr);
        double area = 0;
        for (int i = 1; i < fpr.Length; i++)
        {
            area += (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2;
        }

        Assert.Equal(DetectionMetrics.Auroc(scores, labels), area, 12);
    }

    private static (double[] Scores, int[] Labels) Data(string name)
    {
        JsonElement c = Cases[name];
        return (
            c.GetProperty("scores").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
            c.GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray());
    }

    private static Dictionary<string, JsonElement> LoadCases()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Fixture.Path("metrics", "detection_metrics.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.Clone());
    }
}
