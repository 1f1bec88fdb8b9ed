using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Tests.Scoring;

/// <summary>
/// Exact duplicates collapse into one point with a multiplicity: 50 copies of a vector score exactly as one copy
/// does, nobody's score becomes NaN or infinite, and the copies' neighbours are not flagged (sklearn #27839).
/// </summary>
public sealed class DuplicatePolicyTests
{
    [Theory]
    [InlineData(OutlierDetector.KDist, DistanceMetric.Euclidean)]
    [InlineData(OutlierDetector.Lof, DistanceMetric.Euclidean)]
    [InlineData(OutlierDetector.Slof, DistanceMetric.Cosine)]
    [InlineData(OutlierDetector.Dao, DistanceMetric.Euclidean)]
    [InlineData(OutlierDetector.Dao, DistanceMetric.Cosine)]
    public void FiftyCopiesOfOneVectorScoreExactlyAsOneCopy(OutlierDetector detector, DistanceMetric metric)
    {
        Matrix<double> baseData = TestData.Blobs(200, 16, 5);
        Matrix<double> withCopies = AppendCopies(baseData, row: 17, copies: 49);

        QueryResult[] single = BatchScorer.LeaveOneOut(baseData, 16, metric);
        QueryResult[] many = BatchScorer.LeaveOneOut(withCopies, 16, metric);

        Assert.All(many, r => Assert.True(double.IsFinite(r.Scores.Get(detector))));
        for (int i = 0; i < baseData.Rows; i++)
        {
            Assert.Equal(single[i].Scores.Get(detector), many[i].Scores.Get(detector));
        }

        for (int i = baseData.Rows; i < withCopies.Rows; i++)
        {
            Assert.Equal(single[17].Scores.Get(detector), many[i].Scores.Get(detector));
        }
    }

    [Fact]
    public void NoveltyQueriesThatDuplicateAMemberScoreAsThatMember()
    {
        Matrix<double> reference = AppendCopies(TestData.Blobs(300, 8, 6), row: 3, copies: 49);
        var queries = new Matrix<double>(50, 8);
        for (int i = 0; i < 50; i++)
        {
            reference.RowReadOnly(3).CopyTo(queries.Row(i));
        }

        QueryResult[] loo = BatchScorer.LeaveOneOut(reference, 10, DistanceMetric.Euclidean);
        QueryResult[] novelty = BatchScorer.Novelty(queries, reference, 10, DistanceMetric.Euclidean);
        Assert.All(novelty, r => Assert.Equal(loo[3].Scores, r.Scores));
    }

    [Fact]
    public void OnlyCopiesOfOneVectorIsAClearErrorNotNaN()
    {
        Matrix<double> copies = AppendCopies(TestData.Blobs(1, 8, 1), row: 0, copies: 49);
        var ex = Assert.Throws<ScoringInputException>(() => BatchScorer.LeaveOneOut(copies, 16, DistanceMetric.Euclidean));
        Assert.Contains("distinct", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IncrementalDuplicatesOnlyChangeMultiplicity()
    {
        (DensityModel<double> model, int[] slots) = BatchScorer.Build(TestData.Blobs(100, 8, 2), 5, DistanceMetric.Euclidean);
        OutlierScores before = model.MemberScores(slots[0]);
        var copy = model.Store.Row(slots[0]).ToArray();
        for (int i = 0; i < 49; i++)
        {
            (int slot, bool isNew) = model.Insert(copy);
            Assert.Equal(slots[0], slot);
            Assert.False(isNew);
        }

        Assert.Equal(50, model.Multiplicity(slots[0]));
        Assert.Equal(before, model.MemberScores(slots[0]));
        for (int i = 0; i < 49; i++)
        {
            Assert.False(model.Remove(slots[0]));
        }

        Assert.True(model.Remove(slots[0]));
        Assert.True(model.MeasureDrift().IsExact(1e-9));
    }

    [Fact]
    public void TiedNeighbourDistancesKeepDaoFinite()
    {
        // A square lattice: every point's k nearest are at one distance, so the MLE LID is infinite; the cap keeps
        // DAO finite.
        var grid = new Matrix<double>(100, 2);
        for (int i = 0; i < 100; i++)
        {
            grid.Row(i)[0] = i % 10;
            grid.Row(i)[1] = i / 10;
        }

        QueryResult[] r = BatchScorer.LeaveOneOut(grid, 4, DistanceMetric.Euclidean);
        Assert.All(r, x => Assert.True(double.IsFinite(x.Scores.Dao) && double.IsFinite(x.Scores.Lid)));
        Assert.Equal(ScoreMath.MaxLid, r[55].Scores.Lid);
    }

    private static Matrix<double> AppendCopies(Matrix<double> data, int row, int copies)
    {
        var m = new Matrix<double>(data.Rows + copies, data.Cols);
        data.Data.CopyTo(m.Data, 0);
        for (int i = 0; i < copies; i++)
        {
            data.RowReadOnly(row).CopyTo(m.Row(data.Rows + i));
        }

        return m;
    }
}
