using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Tests.Reference;

public sealed class ReferenceReembeddingTests
{
    [Theory]
    [InlineData(DistanceMetric.Euclidean)]
    [InlineData(DistanceMetric.Cosine)]
    public void MembersMoveToTheNewSpaceInArrivalOrderAndScoreAsAFreshSetWould(DistanceMetric metric)
    {
        // Old model: 8 dimensions. New model: 6, a different space. 40 members, 4 still in the hold-back.
        var options = new ReferenceSetOptions { Capacity = 100, HoldBack = 4, K = 5, MaxSourceShare = 1, Threads = 1, Metric = metric };
        var set = new ReferenceSet<double>(8, options);
        Matrix<double> old = TestData.Blobs(44, 8, 11);
        Matrix<double> fresh = TestData.Blobs(44, 6, 12);
        for (int i = 0; i < 44; i++)
        {
            set.OfferCleared($"s{i}", i % 3 == 0 ? "a" : "b", old.RowReadOnly(i));
        }

        ReferenceSetState<double> before = set.ExportState();
        Assert.Equal(40, before.Members.Count);
        Assert.Equal(4, before.HoldBack.Count);

        // s7 (a member) and s42 (waiting) have no stored image: they cannot be moved.
        var vectors = Enumerable.Range(0, 44).Where(i => i is not 7 and not 42)
            .ToDictionary(i => $"s{i}", i => fresh.RowReadOnly(i).ToArray());
        ReembeddedState<double> moved = ReferenceReembedding.Apply(before, 6, vectors);

        Assert.Equal(["s7", "s42"], moved.Dropped);
        Assert.Equal(before.Version + 1, moved.State.Version);
        Assert.Equal(before.Members.Where(m => m.Id != "s7").Select(m => (m.Id, m.Source)), moved.State.Members.Select(m => (m.Id, m.Source)));
        Assert.Equal(["s40", "s41", "s43"], moved.State.HoldBack.Select(p => p.Id));

        // The restored set equals one built from scratch on the new vectors: same k-NN and scores for a query.
        var restored = ReferenceSet<double>.Restore(moved.State);
        Assert.Equal(6, restored.Model.Dimension);
        Assert.True(restored.Model.MeasureDrift().IsExact(1e-12));
        var scratch = new ReferenceSet<double>(6, options);
        string[] ids = [.. moved.State.Members.Select(m => m.Id)];
        var rows = new Matrix<double>(ids.Length, 6);
        for (int i = 0; i < ids.Length; i++)
        {
            vectors[ids[i]].CopyTo(rows.Row(i));
        }

        scratch.Seed(ids, [.. moved.State.Members.Select(m => (string?)m.Source)], rows);
        var query = new Matrix<double>(1, 6);
        fresh.RowReadOnly(7).CopyTo(query.Row(0));
        Assert.Equal(scratch.Score(query)[0].Scores.Lof, restored.Score(query)[0].Scores.Lof, 12);

        // Waiting samples keep their place (3 of a hold-back of 4) and enter under the new space as the stream goes on.
        Assert.Empty(restored.OfferCleared("next1", "b", Enumerable.Range(0, 6).Select(j => 0.5 + j).ToArray()));
        var decided = restored.OfferCleared("next2", "b", Enumerable.Range(0, 6).Select(j => 1.5 - j).ToArray());
        Assert.Equal([("s40", OfferOutcome.Admitted)], decided);
    }

    [Fact]
    public void AVectorOfTheWrongDimensionIsRefused()
    {
        var set = new ReferenceSet<double>(4, new ReferenceSetOptions { Capacity = 20, HoldBack = 0, K = 2, MaxSourceShare = 1, Threads = 1 });
        Matrix<double> data = TestData.Blobs(6, 4, 3);
        for (int i = 0; i < 6; i++)
        {
            set.OfferCleared($"s{i}", null, data.RowReadOnly(i));
        }

        var vectors = Enumerable.Range(0, 6).ToDictionary(i => $"s{i}", i => new double[i == 3 ? 5 : 4]);
        var error = Assert.Throws<ScoringInputException>(() => ReferenceReembedding.Apply(set.ExportState(), 4, vectors));
        Assert.Contains("'s3' has 5 dimensions, expected 4", error.Message, StringComparison.Ordinal);
    }
}
