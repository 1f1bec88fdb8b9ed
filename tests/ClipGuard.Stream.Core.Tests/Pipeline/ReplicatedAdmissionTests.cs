using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;

namespace ClipGuard.Stream.Core.Tests.Pipeline;

/// <summary>
/// The apply rule of the replicated reference log: replicas that apply the same records in the same order hold the
/// same reference, including one restored from a snapshot taken midway, which is what a restarting replica does.
/// </summary>
public sealed class ReplicatedAdmissionTests
{
    private const int Dim = 16;

    [Fact]
    public void ReplicasApplyingTheSameLogHoldIdenticalReferencesEvenAfterARestoreMidway()
    {
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(2600, Dim, 12, 0.02, 41);
        List<LogRecord> log = Log(data, 600);
        StreamScorer a = Seeded(data), b = Seeded(data);
        StreamScorer? restored = null;
        for (int offset = 0; offset < log.Count; offset++)
        {
            Apply(a, log[offset], offset);
            Apply(b, log[offset], offset);
            if (restored is not null)
            {
                Apply(restored, log[offset], offset);
            }

            if (offset == log.Count / 2)
            {
                // A replica restarting from a snapshot: its admission draws and victims must continue exactly.
                restored = new StreamScorer(ReferenceSet<float>.Restore(a.Reference.ExportState()), Options()) { ReplicatedAdmission = true };
                Assert.Equal(a.Reference.Digest(), restored.Reference.Digest());
            }
        }

        // The log is long enough that the reservoir replaced members (the draws that must agree happened).
        Assert.True(a.Reference.Version > 600 + 1000, $"version {a.Reference.Version}");
        Assert.Equal(log.Count, a.Reference.LogPosition);
        Assert.Equal(a.Reference.Digest(), b.Reference.Digest());
        Assert.Equal(a.Reference.Digest(), restored!.Reference.Digest());
        Assert.Equal(a.Reference.Version, restored.Reference.Version);
        Assert.Equal(a.Reference.MemberIds.ToHashSet(), restored.Reference.MemberIds.ToHashSet());
        Assert.Equal(a.Threshold, b.Threshold);
    }

    [Fact]
    public void AReplicaNeverChangesItsReferenceFromItsOwnVerdicts()
    {
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(800, Dim, 6, 0, 42);
        StreamScorer scorer = Seeded(data);
        long version = scorer.Reference.Version;
        var batch = Enumerable.Range(600, 200).Select(i => new StreamSample($"n{i}", "web", data.RowReadOnly(i).ToArray())).ToList();

        IReadOnlyList<Verdict> verdicts = scorer.Decide(batch);

        Assert.Equal(version, scorer.Reference.Version);
        Assert.Equal(0, scorer.Reference.WaitingInHoldBack);
        IReadOnlyList<StreamSample> proposals = scorer.DrainProposals();
        // Proposed: the clean verdicts the conformal rule offers to the reference (not those held out for calibration
        // or kept out by the admission floor).
        var offered = verdicts.Where(v => v.Route == Route.Clean && v.Reason.EndsWith("offered to the reference", StringComparison.Ordinal)).ToList();
        Assert.InRange(offered.Count, 1, verdicts.Count(v => v.Route == Route.Clean) - 1);
        Assert.Equal(offered.Select(v => v.SampleId), proposals.Select(p => p.Id));
        Assert.NotEmpty(proposals);
        Assert.Empty(scorer.DrainProposals());
    }

    [Fact]
    public void AWithdrawnSampleIsNotProposedAndUnknownIdsAreNotFound()
    {
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(800, Dim, 6, 0, 44);
        StreamScorer scorer = Seeded(data);
        var batch = Enumerable.Range(600, 200).Select(i => new StreamSample($"n{i}", "web", data.RowReadOnly(i).ToArray())).ToList();
        IReadOnlyList<Verdict> verdicts = scorer.Decide(batch);
        string offered = verdicts.First(v => v.Route == Route.Clean && v.Reason.EndsWith("offered to the reference", StringComparison.Ordinal)).SampleId;

        // The pipeline routes it to quarantine after all (an earlier delivery was quarantined): it must not reach the log.
        Assert.True(scorer.Withdraw(offered));
        Assert.DoesNotContain(offered, scorer.DrainProposals().Select(p => p.Id));
        Assert.False(scorer.Withdraw("never-seen"));
    }

    [Fact]
    public void ARescoreUnderReplicationListsEvictionsWithoutApplyingThem()
    {
        (Matrix<float> data, int[] labels) = SyntheticEmbeddings.Generate(780, Dim, 8, 0.03, 43);
        var scorer = new StreamScorer(Dim, Options()) { ReplicatedAdmission = true };
        scorer.Seed(Enumerable.Range(0, data.Rows).Select(i => $"m{i}").ToList(), data);
        int members = scorer.Reference.Count;

        RescoreReport report = scorer.Rescore();

        Assert.NotEmpty(report.Evicted);
        Assert.Equal(members, scorer.Reference.Count);
        Assert.True(report.Evicted.Count(id => labels[int.Parse(id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)] == 1) >= report.Evicted.Count / 2);
        for (int i = 0; i < report.Evicted.Count; i++)
        {
            scorer.ApplyRevoke(report.Evicted[i], i);
        }

        scorer.ApplyRecalibrate(report.Evicted.Count);
        Assert.All(report.Evicted, id => Assert.False(scorer.Reference.Contains(id)));
        Assert.Equal(report.Evicted.Count + 1, scorer.Reference.LogPosition);
    }

    private static void Apply(StreamScorer scorer, LogRecord r, long offset)
    {
        if (r.Embedding is null)
        {
            scorer.ApplyRevoke(r.Id, offset);
        }
        else
        {
            scorer.ApplyOffer(r.Id, r.Source, r.Embedding, offset);
        }
    }

    /// <summary>Offers of every row after the seed, from three sources, with some tombstones and repeated offers.</summary>
    private static List<LogRecord> Log(Matrix<float> data, int seedRows)
    {
        var rng = new Random(7);
        var log = new List<LogRecord>();
        for (int i = seedRows; i < data.Rows; i++)
        {
            log.Add(new LogRecord($"s{i}", $"src-{i % 3}", data.RowReadOnly(i).ToArray()));
            if (rng.NextDouble() < 0.05)
            {
                log.Add(new LogRecord($"s{rng.Next(seedRows, i + 1)}", null, null));
            }

            if (rng.NextDouble() < 0.03)
            {
                int j = rng.Next(seedRows, i + 1);
                log.Add(new LogRecord($"s{j}", $"src-{j % 3}", data.RowReadOnly(j).ToArray()));
            }
        }

        return log;
    }

    private static StreamScorer Seeded(Matrix<float> data)
    {
        var scorer = new StreamScorer(Dim, Options()) { ReplicatedAdmission = true };
        var seed = new Matrix<float>(600, Dim);
        for (int i = 0; i < 600; i++)
        {
            data.RowReadOnly(i).CopyTo(seed.Row(i));
        }

        scorer.Seed(Enumerable.Range(0, 600).Select(i => $"seed-{i}").ToList(), seed);
        return scorer;
    }

    private static StreamScorerOptions Options() => new()
    {
        BootstrapSize = 100,
        RecalibrateEvery = 200,
        Reference = new ReferenceSetOptions { Capacity = 800, HoldBack = 25, K = 8, MaxSourceShare = 0.4, Threads = 1 },
    };

    private sealed record LogRecord(string Id, string? Source, float[]? Embedding);
}
