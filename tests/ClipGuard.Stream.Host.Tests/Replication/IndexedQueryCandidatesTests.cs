using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Host.Replication;
using ClipGuard.Stream.Index;

namespace ClipGuard.Stream.Host.Tests.Replication;

/// <summary>
/// The service's configurable query backend: FAISS proposes the neighbours of stream samples, the model measures them
/// canonically. Brute-force FAISS must then decide exactly as the exact scan; HNSW may only lose a little recall.
/// Both are kept in step while the reference admits and evicts (slots are reused along the way).
/// </summary>
public sealed class IndexedQueryCandidatesTests
{
    private const int Dim = 32;

    [Theory]
    [InlineData(KnnBackend.FaissFlat, 1.0)]
    [InlineData(KnnBackend.FaissHnsw, 0.99)]
    public void StreamVerdictsThroughAFaissBackendMatchTheExactScan(KnnBackend backend, double minAgreement)
    {
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(4000, Dim, 12, 0.02, 81);
        StreamScorer exact = Seeded(data), indexed = Seeded(data);
        using var candidates = new IndexedQueryCandidates(KnnIndexFactory.Create(new KnnIndexOptions { Backend = backend, Dimension = Dim }));
        indexed.Reference.Model.AttachQueryIndex(candidates);

        // Offers through the replicated apply path: the small capacity makes the reservoir evict and reuse slots.
        for (int i = 1500; i < 3000; i++)
        {
            float[] row = data.RowReadOnly(i).ToArray();
            exact.ApplyOffer($"s{i}", "web", row, i - 1500);
            indexed.ApplyOffer($"s{i}", "web", row, i - 1500);
        }

        Assert.Equal(exact.Reference.Digest(), indexed.Reference.Digest());
        Assert.True(exact.Reference.Version > 1000 + 600, $"version {exact.Reference.Version}: evictions should have happened");
        var queries = Enumerable.Range(3000, 1000).Select(i => new StreamSample($"q{i}", "web", data.RowReadOnly(i).ToArray())).ToList();
        IReadOnlyList<Verdict> want = exact.Decide(queries), got = indexed.Decide(queries);

        int sameScore = want.Zip(got).Count(p => p.First.Score == p.Second.Score && p.First.NeighborIds.SequenceEqual(p.Second.NeighborIds));
        int sameRoute = want.Zip(got).Count(p => p.First.Route == p.Second.Route);
        Assert.True(sameScore >= minAgreement * queries.Count, $"{backend}: {sameScore} of {queries.Count} scores identical to the exact scan");
        Assert.True(sameRoute >= minAgreement * queries.Count, $"{backend}: {sameRoute} of {queries.Count} routes identical");
    }

    private static StreamScorer Seeded(Matrix<float> data)
    {
        var scorer = new StreamScorer(Dim, new StreamScorerOptions
        {
            BootstrapSize = 100,
            Reference = new ReferenceSetOptions { Capacity = 1200, HoldBack = 20, K = 16, MaxSourceShare = 1, Threads = 1 },
        }) { ReplicatedAdmission = true };
        var seed = new Matrix<float>(1000, Dim);
        for (int i = 0; i < 1000; i++)
        {
            data.RowReadOnly(i).CopyTo(seed.Row(i));
        }

        scorer.Seed(Enumerable.Range(0, 1000).Select(i => $"seed-{i}").ToList(), seed);
        return scorer;
    }
}
