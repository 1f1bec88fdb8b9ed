using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Tests.Reference;

public sealed class ReferenceSetTests
{
    private const int Dim = 8;

    [Fact]
    public void ClearedSamplesWaitOutTheHoldBackBeforeEntering()
    {
        var set = new ReferenceSet<double>(Dim, Options(capacity: 100, holdBack: 10));
        Matrix<double> data = TestData.Blobs(30, Dim, 1);
        for (int i = 0; i < 10; i++)
        {
            Assert.Empty(set.OfferCleared($"s{i}", "a", data.RowReadOnly(i)));
        }

        Assert.Equal(0, set.Count);
        var decided = set.OfferCleared("s10", "a", data.RowReadOnly(10));
        Assert.Equal([("s0", OfferOutcome.Admitted)], decided);
        Assert.True(set.Contains("s0"));
        Assert.Equal(10, set.WaitingInHoldBack);
    }

    [Fact]
    public void ARevokedSampleNeverEntersAndAMemberCanBeRevoked()
    {
        var set = new ReferenceSet<double>(Dim, Options(capacity: 100, holdBack: 3));
        Matrix<double> data = TestData.Blobs(20, Dim, 2);
        set.OfferCleared("bad", "a", data.RowReadOnly(0));
        Assert.True(set.Revoke("bad"));
        for (int i = 1; i < 20; i++)
        {
            set.OfferCleared($"s{i}", "a", data.RowReadOnly(i));
        }

        Assert.False(set.Contains("bad"));
        Assert.True(set.Contains("s1"));
        Assert.True(set.Revoke("s1"));
        Assert.False(set.Contains("s1"));
        Assert.True(set.Model.MeasureDrift().IsExact(1e-9));
    }

    [Theory]
    [InlineData(AdmissionPolicy.Reservoir)]
    [InlineData(AdmissionPolicy.SlidingWindow)]
    public void CapacityAndPerSourceCapHoldWhileTheStreamFlows(AdmissionPolicy policy)
    {
        ReferenceSetOptions options = Options(capacity: 200, holdBack: 5);
        options.Policy = policy;
        options.MaxSourceShare = 0.1;
        var set = new ReferenceSet<double>(Dim, options);
        Matrix<double> data = TestData.Blobs(3000, Dim, 3);
        for (int i = 0; i < data.Rows; i++)
        {
            // Source "flood" sends half the stream; it may hold at most 10% of the reference.
            string source = i % 2 == 0 ? "flood" : $"src{i % 37}";
            set.OfferCleared($"s{i}", source, data.RowReadOnly(i));
            Assert.True(set.Count <= 200);
            Assert.True(set.SourceCount("flood") <= 20);
        }

        Assert.Equal(200, set.Count);
        Assert.Equal(20, set.SourceCount("flood"));
        Assert.True(set.Model.MeasureDrift().IsExact(1e-9));
    }

    [Fact]
    public void ReservoirAdmitsLateSamplesAtTheRateCapacityOverSeen()
    {
        ReferenceSetOptions options = Options(capacity: 100, holdBack: 0);
        options.MaxSourceShare = 1;
        var set = new ReferenceSet<double>(Dim, options);
        Matrix<double> data = TestData.Blobs(4000, Dim, 4);
        for (int i = 0; i < data.Rows; i++)
        {
            set.OfferCleared($"s{i}", null, data.RowReadOnly(i));
        }

        // Algorithm R keeps a uniform sample: about a quarter of the members come from the last quarter.
        int late = set.MemberIds.Count(id => int.Parse(id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) >= 3000);
        Assert.InRange(late, 12, 40);
    }

    [Fact]
    public void SlidingWindowKeepsTheNewestSamples()
    {
        ReferenceSetOptions options = Options(capacity: 50, holdBack: 0);
        options.Policy = AdmissionPolicy.SlidingWindow;
        options.MaxSourceShare = 1;
        var set = new ReferenceSet<double>(Dim, options);
        Matrix<double> data = TestData.Blobs(500, Dim, 5);
        for (int i = 0; i < data.Rows; i++)
        {
            set.OfferCleared($"s{i}", null, data.RowReadOnly(i));
        }

        Assert.Equal(Enumerable.Range(450, 50).Select(i => $"s{i}").Order(), set.MemberIds.Order());
    }

    [Fact]
    public void EveryChangeBumpsTheVersionAndIsRecordedInOrder()
    {
        var set = new ReferenceSet<double>(Dim, Options(capacity: 30, holdBack: 0)) { RecordsChanges = true };
        Matrix<double> data = TestData.Blobs(40, Dim, 6);
        for (int i = 0; i < data.Rows; i++)
        {
            set.OfferCleared($"s{i}", $"src{i % 5}", data.RowReadOnly(i));
        }

        IReadOnlyList<ReferenceChange> changes = set.DrainChanges();
        Assert.Equal(set.Version, changes.Count);
        Assert.Equal(Enumerable.Range(1, changes.Count).Select(v => (long)v), changes.Select(c => c.Version));
        int admitted = changes.Count(c => c.Kind == ReferenceChangeKind.Admitted);
        int evicted = changes.Count(c => c.Kind == ReferenceChangeKind.Evicted);
        Assert.Equal(set.Count, admitted - evicted);
        Assert.Empty(set.DrainChanges());
    }

    /// <summary>
    /// A set nobody drains records nothing: the single-replica service never reads the record, which grew by an entry
    /// (and kept an evicted id alive) per admission and eviction for as long as it ran.
    /// </summary>
    [Fact]
    public void WithoutAReaderNoChangeIsRecordedAndTheVersionStillCounts()
    {
        var silent = new ReferenceSet<double>(Dim, Options(capacity: 30, holdBack: 0));
        var recording = new ReferenceSet<double>(Dim, Options(capacity: 30, holdBack: 0)) { RecordsChanges = true };
        Matrix<double> data = TestData.Blobs(200, Dim, 6);
        for (int i = 0; i < data.Rows; i++)
        {
            silent.OfferCleared($"s{i}", $"src{i % 5}", data.RowReadOnly(i));
            recording.OfferCleared($"s{i}", $"src{i % 5}", data.RowReadOnly(i));
        }

        Assert.Equal(recording.Digest(), silent.Digest());
        Assert.True(silent.Version > 60, $"version {silent.Version}: admissions and evictions both count");
        Assert.Equal(silent.Version, recording.DrainChanges().Count);
        Assert.Empty(silent.DrainChanges());
    }

    [Fact]
    public void ScoresOfNewSamplesUseTheMembersAndNameThem()
    {
        var set = new ReferenceSet<double>(Dim, Options(capacity: 500, holdBack: 0));
        Matrix<double> data = TestData.Blobs(301, Dim, 7);
        var seed = new Matrix<double>(300, Dim, data.Data[..(300 * Dim)]);
        set.Seed(Enumerable.Range(0, 300).Select(i => $"m{i}").ToList(), Enumerable.Repeat<string?>("a", 300).ToList(), seed);
        var query = new Matrix<double>(1, Dim, data.Data[(300 * Dim)..]);
        QueryResult r = set.Score(query)[0];
        QueryResult expected = BatchScorer.Novelty(query, seed, 5, DistanceMetric.Euclidean)[0];
        Assert.Equal(expected.Scores, r.Scores);
        Assert.All(r.Neighbors, n => Assert.StartsWith("m", set.IdOfSlot(n.Slot), StringComparison.Ordinal));
    }

    [Fact]
    public void InvalidOptionsNameEveryProblem()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ReferenceSetOptions { K = 0, Capacity = 0, MaxSourceShare = 2 }.Validate());
        Assert.Contains("K must be", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Capacity", ex.Message, StringComparison.Ordinal);
        Assert.Contains("MaxSourceShare", ex.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Offering a batch decides exactly as offering its samples one by one: same outcomes, same members in the same
    /// arrival order (equal digests), same scores. The reservoir's victims include samples admitted earlier in the
    /// same batch (the capacity is small against the batches), the sliding window evicts every batch, a source cap
    /// binds, and duplicated vectors and ids recur.
    /// </summary>
    [Theory]
    [InlineData(AdmissionPolicy.Reservoir, 60)]
    [InlineData(AdmissionPolicy.SlidingWindow, 60)]
    [InlineData(AdmissionPolicy.Reservoir, 400)]
    public void ABatchOfOffersDecidesAsOfferingThemOneByOne(AdmissionPolicy policy, int capacity)
    {
        ReferenceSetOptions options = Options(capacity, holdBack: 7);
        options.Policy = policy;
        options.MaxSourceShare = 0.3;
        var batched = new ReferenceSet<double>(Dim, options) { RecordsChanges = true };
        var single = new ReferenceSet<double>(Dim, options) { RecordsChanges = true };
        Matrix<double> data = TestData.Blobs(2000, Dim, 9);
        var rng = new Random(9);
        int next = 0, evicted = 0;
        while (next < data.Rows)
        {
            int size = Math.Min(data.Rows - next, 1 + rng.Next(120));
            var offers = new List<(string Id, string? Source, double[] RawVector)>();
            for (int i = next; i < next + size; i++)
            {
                // Every 50th sample repeats an earlier vector, every 97th an id already offered.
                int row = i % 50 == 49 ? rng.Next(i) : i;
                string id = i % 97 == 96 ? $"s{rng.Next(i)}" : $"s{i}";
                offers.Add((id, i % 3 == 0 ? "heavy" : $"src{i % 11}", data.RowReadOnly(row).ToArray()));
            }

            var expected = offers.SelectMany(o => single.OfferCleared(o.Id, o.Source, o.RawVector)).ToList();
            Assert.Equal(expected, batched.OfferCleared(offers));
            next += size;
            IReadOnlyList<ReferenceChange> changes = single.DrainChanges();
            Assert.Equal(changes, batched.DrainChanges());
            evicted += changes.Count(c => c.Kind == ReferenceChangeKind.Evicted);
            Assert.Equal(single.Digest(), batched.Digest());
        }

        Assert.True(evicted > capacity, $"only {evicted} evictions");
        Assert.Equal(single.MemberIds.Order(), batched.MemberIds.Order());
        foreach (string id in single.MemberIds)
        {
            Assert.Equal(single.MemberScores(id), batched.MemberScores(id));
        }

        Assert.True(batched.Model.MeasureDrift().IsExact(1e-9));
    }

    /// <summary>
    /// Scoring a micro-batch with its ids keeps each sample's search, and admitting it a hold-back later corrects that
    /// search instead of scanning again; the set's members, order, vectors and every member's neighbours and scores are
    /// those of a twin that scores without ids, through a full reference with reservoir evictions and revocations.
    /// </summary>
    [Fact]
    public void AdmissionsThatReuseTheirQuerySearchLeaveTheSetAsAFreshSearchWould()
    {
        ReferenceSetOptions options = Options(capacity: 400, holdBack: 60);
        options.Seed = 5;
        var reusing = new ReferenceSet<double>(Dim, options);
        var plain = new ReferenceSet<double>(Dim, options);
        Matrix<double> data = TestData.Blobs(3000, Dim, 9);
        var seed = new Matrix<double>(400, Dim);
        for (int i = 0; i < 400; i++)
        {
            data.RowReadOnly(i).CopyTo(seed.Row(i));
        }

        string[] seedIds = [.. Enumerable.Range(0, 400).Select(i => $"seed{i}")];
        reusing.Seed(seedIds, [.. seedIds.Select(_ => (string?)"a")], seed);
        plain.Seed(seedIds, [.. seedIds.Select(_ => (string?)"a")], seed);
        for (int start = 400; start < data.Rows; start += 50)
        {
            var batch = new Matrix<double>(50, Dim);
            for (int i = 0; i < 50; i++)
            {
                data.RowReadOnly(start + i).CopyTo(batch.Row(i));
            }

            string[] ids = [.. Enumerable.Range(start, 50).Select(i => $"x{i}")];
            QueryResult[] expected = plain.Score(batch), got = reusing.Score(batch, ids);
            Assert.Equal(expected.Select(r => r.Scores), got.Select(r => r.Scores));

            // Most are cleared; a few of the cleared are revoked while they wait.
            var cleared = Enumerable.Range(0, 50).Where(i => i % 7 != 3).Select(i => (ids[i], (string?)(i % 3 == 0 ? "b" : "a"), batch.RowReadOnly(i).ToArray())).ToList();
            Assert.Equal(plain.OfferCleared(cleared), reusing.OfferCleared(cleared));
            if (start % 500 == 0)
            {
                Assert.Equal(plain.Revoke(ids[0]), reusing.Revoke(ids[0]));
            }

            Assert.Equal(plain.Digest(), reusing.Digest());
        }

        Assert.True(reusing.Model.ScansReused > 500, $"{reusing.Model.ScansReused} admissions reused their search");
        Assert.Equal(0, plain.Model.ScansReused);
        foreach (string id in plain.MemberIds)
        {
            Assert.Equal(plain.MemberScores(id), reusing.MemberScores(id));
        }

        Assert.True(reusing.Model.MeasureDrift().IsExact(1e-9), reusing.Model.MeasureDrift().ToString());
    }

    private static ReferenceSetOptions Options(int capacity, int holdBack) =>
        new() { Capacity = capacity, HoldBack = holdBack, K = 5, MaxSourceShare = 0.5, Threads = 1 };
}
