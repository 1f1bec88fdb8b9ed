using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Tests.Pipeline;

/// <summary>
/// The hot swap in the scorer: an "old" space where planted samples look like everyone else, a "new" space (the
/// sentinel that learned the trigger) where they are outliers. Row i is the same sample in both spaces.
/// </summary>
public sealed class ModelSwapTests
{
    private const int Dim = 32;
    private const int Members = 2000;
    private const int Window = 1000;

    [Fact]
    public void AfterASwapTheWindowIsJudgedInTheNewSpaceAndVerdictsNameTheNewModel()
    {
        (Matrix<float> oldSpace, _) = SyntheticEmbeddings.Generate(Members + Window, Dim, 12, 0, 31);
        (Matrix<float> newSpace, int[] planted) = SyntheticEmbeddings.Generate(Members + Window, Dim, 12, 0.03, 32);
        var scorer = new StreamScorer(Dim, Options());
        scorer.Seed([.. Enumerable.Range(0, Members).Select(Id)], Rows(oldSpace, Enumerable.Range(0, Members)));
        IReadOnlyList<Verdict> before = scorer.Decide([.. Enumerable.Range(Members, Window).Select(i => Sample(oldSpace, i))]);
        Assert.All(before, v => Assert.Equal("old@1", v.ModelVersion));
        var routedClean = before.Where(v => v.Route == Route.Clean).Select(v => Row(v.SampleId)).ToList();
        Assert.True(routedClean.Count >= 0.95 * Window, $"{routedClean.Count} of {Window} routed clean in the old space");

        var members = scorer.Reference.MemberIds.ToList();
        // The operator's seed is clean: the planted samples reached the reference through the stream, so they do not
        // calibrate in the new space (trusted = the clean seed).
        var trusted = members.Where(id => Row(id) < Members && planted[Row(id)] == 0).ToHashSet();
        ModelSwapReport report = scorer.SwapModel("sentinel@2", members, Rows(newSpace, members.Select(Row)), null, trusted);

        Assert.Equal("old@1", report.PreviousModel);
        Assert.Equal(members.Count, report.Reembedded);
        Assert.Equal("sentinel@2", scorer.Reference.ModelVersion);
        Assert.Equal(report.MembersAfter, scorer.Reference.Count);
        Assert.Equal(members.Count - report.Evicted.Count, report.MembersAfter);
        var plantedMembers = members.Where(id => planted[Row(id)] == 1).ToHashSet();
        Assert.True(report.Evicted.Count(plantedMembers.Contains) >= 0.9 * plantedMembers.Count, $"evicted {report.Evicted.Count(plantedMembers.Contains)} of {plantedMembers.Count} planted members");
        Assert.True(scorer.Reference.Model.MeasureDrift().IsExact(0));
        // Every trusted member calibrates in the new space, those the re-score evicted included (demoted, not dropped).
        Assert.Equal(trusted.Count, scorer.Calibration!.DensityCount);

        IReadOnlyList<Judgement> judged = scorer.Judge([.. routedClean.Select(i => Sample(newSpace, i))]);
        var notMembers = routedClean.Where(i => !scorer.Reference.Contains(Id(i))).ToList();
        Assert.Equal(notMembers.Count, judged.Count);
        int plantedInWindow = notMembers.Count(i => planted[i] == 1);
        int caught = judged.Count(j => j.Quarantine && planted[Row(j.SampleId)] == 1);
        int falseRecalls = judged.Count(j => j.Quarantine && planted[Row(j.SampleId)] == 0);
        Assert.True(plantedInWindow > 10, $"{plantedInWindow} planted samples in the window");
        Assert.True(caught >= 0.9 * plantedInWindow, $"caught {caught} of {plantedInWindow} planted samples");
        Assert.True(falseRecalls <= 0.02 * (notMembers.Count - plantedInWindow), $"{falseRecalls} clean samples judged quarantine");
        Assert.All(judged, j => Assert.InRange(j.PValue, 0, 1));

        // Verdicts from now on carry the new model, and the stream goes on deciding in the new space.
        IReadOnlyList<Verdict> after = scorer.Decide([Sample(newSpace, 0) with { Id = "fresh" }]);
        Assert.Equal("sentinel@2", Assert.Single(after).ModelVersion);
    }

    [Fact]
    public void ASwapIsRefusedUnderReplicationWhileBootstrappingAndWithTheWrongShape()
    {
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(300, Dim, 4, 0, 33);
        var ids = Enumerable.Range(0, 300).Select(Id).ToList();

        var bootstrapping = new StreamScorer(Dim, Options());
        Assert.Throws<InvalidOperationException>(() => bootstrapping.SwapModel("m@2", ids, data, null));

        var replicated = new StreamScorer(Dim, Options()) { ReplicatedAdmission = true };
        replicated.Seed(ids, data);
        Assert.Throws<InvalidOperationException>(() => replicated.SwapModel("m@2", ids, data, null));

        var scorer = new StreamScorer(Dim, Options());
        scorer.Seed(ids, data);
        Assert.Throws<ScoringInputException>(() => scorer.SwapModel("m@2", ids, new Matrix<float>(300, Dim + 1), null));
        Assert.Throws<ScoringInputException>(() => scorer.SwapModel("m@2", ids.Take(10).ToList(), Rows(data, Enumerable.Range(0, 10)), null));
        Assert.Throws<ScoringInputException>(() => scorer.SwapModel("m@2", ids, data, new Matrix<float>(299, Dim)));
        Assert.Equal("old@1", scorer.Reference.ModelVersion ?? "old@1");
        Assert.Equal(300, scorer.Reference.Count);
    }

    [Fact]
    public void AWindowUnlikeTheCalibratingSeedIsJudgedAgainstAFittingSeedLikeIt()
    {
        // A sentinel's window is its training data; the seed half it never saw is distributed otherwise (here: the same
        // clusters, every point moved by extra noise, as a model that fitted some pairs and not others would). Judged
        // against the unseen half, clean window samples fall in the budget's tail far more often than the budget says;
        // judged against a fitting half distributed like them, about as often as it says.
        (Matrix<float> unseen, _) = SyntheticEmbeddings.Generate(Members, Dim, 12, 0, 51);
        (Matrix<float> fitted, _) = SyntheticEmbeddings.Generate(2 * Members, Dim, 12, 0, 51);
        var rng = new Random(52);
        for (int i = 0; i < fitted.Data.Length; i++)
        {
            fitted.Data[i] += (float)(0.5 * TestData.Gaussian(rng));
        }

        var scorer = new StreamScorer(Dim, Options());
        scorer.Seed([.. Enumerable.Range(0, Members).Select(i => $"u{i}")], unseen);
        StreamScorer judge = scorer.ForJudging([.. Enumerable.Range(0, Members).Select(Id)], Rows(fitted, Enumerable.Range(0, Members)), null);
        List<StreamSample> window = [.. Enumerable.Range(Members, Members).Select(i => Sample(fitted, i))];

        double againstUnseen = scorer.Judge(window).Count(j => j.Quarantine) / (double)window.Count;
        double againstFitting = judge.Judge(window).Count(j => j.Quarantine) / (double)window.Count;

        Assert.True(againstUnseen > 0.05, $"against the unseen half {againstUnseen:P2} of the window quarantined (budget 1 %)");
        Assert.InRange(againstFitting, 0, 0.025);
        Assert.Equal(Members, scorer.Reference.Count);
        Assert.Equal(Members, judge.Reference.Count);
        Assert.Throws<ScoringInputException>(() => scorer.ForJudging(["a", "b"], Rows(fitted, [0, 1]), null));
    }

    private static string Id(int row) => $"s{row}";

    private static int Row(string id) => int.Parse(id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);

    private static StreamSample Sample(Matrix<float> space, int row) => new(Id(row), "web", space.RowReadOnly(row).ToArray());

    private static Matrix<float> Rows(Matrix<float> space, IEnumerable<int> rows)
    {
        var list = rows.ToList();
        var m = new Matrix<float>(list.Count, Dim);
        for (int j = 0; j < list.Count; j++)
        {
            space.RowReadOnly(list[j]).CopyTo(m.Row(j));
        }

        return m;
    }

    /// <remarks>A 1 % budget and no hold-back, as the re-score tests: seeds of a few thousand calibrate it.</remarks>
    private static StreamScorerOptions Options() => new()
    {
        FalseQuarantineRate = 0.01,
        BootstrapSize = 100,
        ModelVersion = "old@1",
        Reference = new ReferenceSetOptions { Capacity = 5000, HoldBack = 0, K = 16, MaxSourceShare = 1, Threads = 2 },
    };
}
