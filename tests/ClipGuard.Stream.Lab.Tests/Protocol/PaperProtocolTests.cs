using ClipGuard.Stream.Core.Evaluation;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Lab.Protocol;

namespace ClipGuard.Stream.Lab.Tests.Protocol;

public sealed class PaperProtocolTests
{
    [Theory]
    [InlineData(10_000, 2048)]
    [InlineData(5_000, 2048)]
    [InlineData(2_000, 2048)]
    public void EverySampleLandsInExactlyOneBatchAndNoBatchIsATinyTail(int n, int size)
    {
        List<int[]> batches = PaperProtocol.Batches(n, size, seed: 3);

        Assert.Equal(Enumerable.Range(0, n), batches.SelectMany(b => b).Order());
        Assert.All(batches, b => Assert.InRange(b.Length, Math.Min(n, size / 2), size + (size / 2)));
        Assert.Equal(batches.Select(b => b.ToArray()), PaperProtocol.Batches(n, size, seed: 3));
        Assert.NotEqual(batches[0], PaperProtocol.Batches(n, size, seed: 4)[0]);
    }

    [Fact]
    public void OneBatchIsExactlyLeaveOneOutOverTheWholeSet()
    {
        Matrix<float> images = Clusters(300, 8, seed: 1);

        PaperProtocolScores scores = PaperProtocol.Score(images, null, new PaperProtocolOptions { BatchSize = 300, K = 5 });
        QueryResult[] expected = BatchScorer.LeaveOneOut(images, 5, DistanceMetric.Euclidean);

        Assert.Equal(expected.Select(r => r.Scores), scores.Image);
        Assert.Null(scores.ImageText);
    }

    [Fact]
    public void ImagesAreScoredAgainstTheirBatchOnly()
    {
        // 400 samples in two batches of 200: a sample's k-distance is its distance to the k-th nearest of its own batch.
        Matrix<float> images = Clusters(400, 4, seed: 2);
        var options = new PaperProtocolOptions { BatchSize = 200, K = 3, Seed = 9 };

        PaperProtocolScores scores = PaperProtocol.Score(images, null, options);

        foreach (int[] batch in PaperProtocol.Batches(400, 200, 9))
        {
            int row = batch[17];
            double kth = batch.Where(j => j != row).Select(j => Distance(images, row, images, j)).Order().ElementAt(2);
            Assert.Equal(kth, scores.Image[row].KDistance, 5);
        }
    }

    [Fact]
    public void InTheImageTextSpaceCaptionsJoinThePoolAndOnlyTheImageItselfIsMasked()
    {
        // Images far apart; each caption sits right beside its own image: with k = 1 an image's neighbour is its caption.
        int n = 50;
        var images = new Matrix<float>(n, 2);
        var texts = new Matrix<float>(n, 2);
        for (int i = 0; i < n; i++)
        {
            images.Row(i)[0] = 100 * i;
            texts.Row(i)[0] = (100 * i) + 0.5f;
        }

        PaperProtocolScores scores = PaperProtocol.Score(images, texts, new PaperProtocolOptions { BatchSize = n, K = 1 });

        Assert.All(scores.ImageText!, s => Assert.Equal(0.5, s.KDistance, 6));
        Assert.All(scores.Image, s => Assert.Equal(100, s.KDistance, 6));
    }

    [Fact]
    public void IsolatedPlantsAreFoundByEveryDetectorAndTheRemovalCountsThem()
    {
        // 2,000 points in tight clusters plus 20 scattered far away; batches of 500 hold ~5 plants each, far below k.
        Matrix<float> clean = Clusters(2000, 16, seed: 5);
        var rng = new Random(6);
        var all = new Matrix<float>(2020, 16);
        clean.Data.CopyTo(all.Data, 0);
        int[] labels = new int[2020];
        for (int i = 2000; i < 2020; i++)
        {
            labels[i] = 1;
            for (int c = 0; c < 16; c++)
            {
                all.Row(i)[c] = (float)((rng.NextDouble() * 40) - 20);
            }
        }

        var options = new PaperProtocolOptions { BatchSize = 500, K = 16, RemoveTopFraction = 0.01 };
        PaperProtocolScores scores = PaperProtocol.Score(all, null, options);

        foreach (OutlierDetector detector in Enum.GetValues<OutlierDetector>())
        {
            ProtocolRow row = ProtocolRow.Measure(ProtocolRow.ImageSpace, detector, scores.Image, labels, options);
            Assert.True(row.Auroc > 0.99, $"{detector}: AUROC {row.Auroc}");
            Assert.Equal(20, row.Positives);
            RemovalCounts top = DetectionMetrics.RemoveTop([.. scores.Image.Select(s => s.Get(detector))], labels, 0.01);
            Assert.Equal((top.Precision, top.Recall), (row.Precision, row.Recall));
        }
    }

    [Fact]
    public void DisagreementIsOneMinusTheCosineOfEachImageWithItsOwnCaption()
    {
        var images = new Matrix<float>(3, 2, [1, 0, 0, 2, 3, 4]);
        var texts = new Matrix<float>(3, 2, [5, 0, 1, 0, -3, -4]);

        Assert.Equal([0.0, 1.0, 2.0], ProtocolRun.Disagreement(images, texts).Select(v => Math.Round(v, 6)));
    }

    [Fact]
    public void BadShapesAndTooSmallBatchesAreRefused()
    {
        Matrix<float> images = Clusters(30, 4, seed: 1);

        Assert.Throws<ArgumentException>(() => PaperProtocol.Score(images, new Matrix<float>(29, 4), new PaperProtocolOptions { BatchSize = 30, K = 3 }));
        Assert.Throws<ArgumentException>(() => PaperProtocol.Score(images, null, new PaperProtocolOptions { BatchSize = 10, K = 16 }));
        Assert.Throws<ArgumentException>(() => PaperProtocol.Score(images, null, new PaperProtocolOptions { BatchSize = 2048, K = 30 }));
    }

    /// <summary>Points around 10 centres (σ = 0.3), centres 10 apart.</summary>
    private static Matrix<float> Clusters(int n, int d, int seed)
    {
        var rng = new Random(seed);
        var m = new Matrix<float>(n, d);
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < d; c++)
            {
                double gauss = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                m.Row(i)[c] = (float)((c == i % 10 ? 10 : 0) + (0.3 * gauss));
            }
        }

        return m;
    }

    private static double Distance(Matrix<float> a, int i, Matrix<float> b, int j)
    {
        double sum = 0;
        for (int c = 0; c < a.Cols; c++)
        {
            double x = a.RowReadOnly(i)[c] - b.RowReadOnly(j)[c];
            sum += x * x;
        }

        return Math.Sqrt(sum);
    }
}
