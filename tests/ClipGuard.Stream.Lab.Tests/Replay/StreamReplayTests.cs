using ClipGuard.Stream.Core.Calibration;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Lab.Replay;

namespace ClipGuard.Stream.Lab.Tests.Replay;

public sealed class StreamReplayTests
{
    private const int Dim = 16;

    /// <summary>Clean clusters with captions aligned to their images; poisons far out with misaligned captions.</summary>
    private static (Matrix<float> Images, Matrix<float> Texts, string[] Keys, bool[] Poisoned) Data(int n, double poisonRate, int seed)
    {
        (Matrix<float> images, int[] labels) = SyntheticEmbeddings.Generate(n, Dim, 10, poisonRate, seed);
        var rng = new Random(seed);
        var texts = new Matrix<float>(n, Dim);
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < Dim; j++)
            {
                // Clean captions lie near their image; a poison's caption points elsewhere.
                texts.Row(i)[j] = labels[i] == 1 ? (float)(rng.NextDouble() - 0.5) * 8 : images.Row(i)[j] + (float)(0.1 * (rng.NextDouble() - 0.5));
            }
        }

        return (images, texts, [.. Enumerable.Range(0, n).Select(i => $"k{i}")], [.. labels.Select(l => l == 1)]);
    }

    private static ReplayOptions Options(ThresholdRule rule, bool captions = true) => new()
    {
        SeedSize = 1000,
        BatchSize = 200,
        Captions = captions,
        Scorer = new StreamScorerOptions
        {
            ThresholdRule = rule,
            FalseQuarantineRate = 0.01,
            Reference = new ReferenceSetOptions { K = 8, HoldBack = 100, Capacity = 5000, MaxSourceShare = 1 },
        },
    };

    [Fact]
    public void EverySampleOutsideTheSeedIsCountedOnceAndTheBudgetHoldsOnAPoisonFreeStream()
    {
        (Matrix<float> images, Matrix<float> texts, string[] keys, bool[] poisoned) = Data(8000, 0, 3);

        ReplayResult r = StreamReplay.Run("clean", images, texts, keys, poisoned, Options(ThresholdRule.Conformal));

        Assert.Equal(0, r.Poisons);
        Assert.Equal(7000, r.Clean);
        Assert.Equal(0, r.TruePositives);
        Assert.InRange(r.FalseQuarantineRate, 0, 0.02);
        Assert.Equal(7000 / 200, r.PoisonsInReference.Count);
        Assert.True(r.CalibrationHeldOut > 0);
        Assert.True(r.Admitted > 0);
    }

    [Fact]
    public void PlantedOutliersAreQuarantinedAndFewerThanAQuarterOfKEverEnterTheReference()
    {
        (Matrix<float> images, Matrix<float> texts, string[] keys, bool[] poisoned) = Data(8000, 0.01, 5);

        ReplayResult r = StreamReplay.Run("planted", images, texts, keys, poisoned, Options(ThresholdRule.Conformal));

        Assert.Equal(poisoned.Count(p => p), r.Poisons);
        Assert.True(r.Recall >= 0.9, $"recall {r.Recall:F3}");
        Assert.True(r.Precision >= 0.5, $"precision {r.Precision:F3}");
        Assert.True(r.MaxPoisonsInReference < 8 / 4, $"{r.MaxPoisonsInReference} poisons in the reference at once (k = 8)");
    }

    [Fact]
    public void KeptVerdictsNameEveryStreamedSampleOnceWithItsLabelAndAgreeWithTheCounts()
    {
        (Matrix<float> images, Matrix<float> texts, string[] keys, bool[] poisoned) = Data(4000, 0.01, 17);

        ReplayResult r = StreamReplay.Run("verdicts", images, texts, keys, poisoned, Options(ThresholdRule.Conformal) with { KeepVerdicts = true });
        string path = Path.Combine(Directory.CreateTempSubdirectory("clipguard-verdicts-").FullName, "v.csv");
        ReplayVerdict.WriteCsv(path, r.Verdicts);
        string[] lines = File.ReadAllLines(path);

        Assert.Equal(r.Poisons + r.Clean, r.Verdicts.Count);
        Assert.Equal(r.Verdicts.Count, r.Verdicts.Select(v => v.Key).Distinct().Count());
        var label = keys.Select((k, i) => (k, poisoned[i])).ToDictionary(x => x.k, x => x.Item2);
        Assert.All(r.Verdicts, v => Assert.Equal(label[v.Key], v.Poisoned));
        Assert.Equal(r.TruePositives, r.Verdicts.Count(v => v.Poisoned && v.Route == Route.Quarantine));
        Assert.Equal(r.FalsePositives, r.Verdicts.Count(v => !v.Poisoned && v.Route == Route.Quarantine));
        Assert.All(r.Verdicts, v => Assert.InRange(v.PValue, 0, 1));
        Assert.Equal("key,poisoned,route,p,score,campaign,revoked,batch,density_p,agreement_p", lines[0]);

        // Each signal's own p-value, against the calibration after the verdict's batch: they make the fused one
        // wherever the calibration did not change at the batch's end (most batches).
        Assert.All(r.Verdicts, v => Assert.InRange(v.DensityP, 0, 1));
        Assert.All(r.Verdicts, v => Assert.InRange(v.AgreementP, 0, 1));
        int made = r.Verdicts.Count(v => Math.Abs(PValues.Fuse(v.DensityP, v.AgreementP) - v.PValue) < 1e-12);
        Assert.True(made > 0.8 * r.Verdicts.Count, $"{made} of {r.Verdicts.Count} fused p-values remade from the two signals");
        Assert.Equal(r.Verdicts.Count + 1, lines.Length);
        ReplayVerdict first = r.Verdicts[0];
        string[] cells = lines[1].Split(',');
        Assert.Equal([first.Key, first.Poisoned ? "1" : "0", first.Route.ToString().ToLowerInvariant()], cells[..3]);
        Assert.Equal(first.PValue, double.Parse(cells[3], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(0, int.Parse(cells[7], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Empty(StreamReplay.Run("dropped", images, texts, keys, poisoned, Options(ThresholdRule.Conformal)).Verdicts);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public void TheContaminationCurveIsSavedAsAPng()
    {
        (Matrix<float> images, Matrix<float> texts, string[] keys, bool[] poisoned) = Data(4000, 0.01, 11);
        ReplayResult r = StreamReplay.Run("run", images, texts, keys, poisoned, Options(ThresholdRule.Conformal));
        string path = Path.Combine(Directory.CreateTempSubdirectory("clipguard-replay-").FullName, "c.png");

        ContaminationPlot.Save(path, "test", [r, r with { Name = "again" }], 200, 8);

        byte[] png = File.ReadAllBytes(path);
        Assert.True(png.Length > 1000);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
    }

    [Fact]
    public void ACleanOnlyReplayLeavesThePoisonsOut()
    {
        (Matrix<float> images, Matrix<float> texts, string[] keys, bool[] poisoned) = Data(6000, 0.01, 13);

        ReplayResult r = StreamReplay.Run("clean-only", images, texts, keys, poisoned, Options(ThresholdRule.Conformal) with { CleanOnly = true });

        Assert.Equal(0, r.Poisons);
        Assert.Equal(6000 - 1000 - poisoned.Count(p => p), r.Clean);
        Assert.Equal(0, r.TruePositives);
    }

    [Fact]
    public void APoisonCountKeepsTheFirstPoisonsOfTheArrivalAndEveryCleanSample()
    {
        bool[] poisoned = [.. Enumerable.Range(0, 5000).Select(i => i % 50 == 7)];
        var all = StreamReplay.Arrival("all", poisoned, new ReplayOptions { SeedSize = 1000, Seed = 3 });
        var some = StreamReplay.Arrival("some", poisoned, new ReplayOptions { SeedSize = 1000, Seed = 3, Poisons = 20 });
        var none = StreamReplay.Arrival("none", poisoned, new ReplayOptions { SeedSize = 1000, Seed = 3, Poisons = 0 });

        Assert.Equal(all.SeedRows, some.SeedRows);
        Assert.Equal(100, all.Stream.Count(i => poisoned[i]));
        Assert.Equal(all.Stream.Where(i => poisoned[i]).Take(20), some.Stream.Where(i => poisoned[i]));
        Assert.Equal(all.Stream.Where(i => !poisoned[i]), some.Stream.Where(i => !poisoned[i]));
        Assert.Equal(all.Stream.Where(i => !poisoned[i]), none.Stream);
        Assert.Equal(all.Stream.Length - 80, some.Stream.Length);
        Assert.Throws<ArgumentException>(() => new ReplayOptions { Poisons = -1 }.Validate());
        Assert.Throws<ArgumentException>(() => new ReplayOptions { Poisons = 5, CleanOnly = true }.Validate());
    }

    [Fact]
    public void ARunIsNamedByItsEmbeddingsFolderAndTheFolderAboveIt()
    {
        Assert.Equal("C2/emb", StreamReplay.RunName("/runs/C2/emb/"));
        Assert.Equal("C3/emb", StreamReplay.RunName("/runs/C3/emb"));
    }

    [Fact]
    public void TooFewCleanSamplesForTheSeedIsAnError()
    {
        (Matrix<float> images, Matrix<float> texts, string[] keys, bool[] poisoned) = Data(500, 0, 7);

        var e = Assert.Throws<InvalidDataException>(() => StreamReplay.Run("small", images, texts, keys, poisoned, Options(ThresholdRule.Conformal)));
        Assert.Contains("only 500 clean samples", e.Message, StringComparison.Ordinal);
    }
}
