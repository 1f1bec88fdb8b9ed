using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Tests.Scoring;

/// <summary>
/// Our scores against two independent oracles on the committed fixtures (Fixtures/make_fixtures.py): scikit-learn's
/// LocalOutlierFactor for LOF (1e-6 relative, the bar) and a float64 NumPy transcription of the definitions
/// for k-NN, kd, LID, lrd, LOF, SLOF and DAO.
/// </summary>
public sealed class OracleTests
{
    public static TheoryData<string, DistanceMetric, int> Configurations => new()
    {
        { "euclidean_k5", DistanceMetric.Euclidean, 5 },
        { "euclidean_k16", DistanceMetric.Euclidean, 16 },
        { "cosine_k5", DistanceMetric.Cosine, 5 },
        { "cosine_k16", DistanceMetric.Cosine, 16 },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void LeaveOneOutMatchesSklearnAndTheNumPyDefinitions(string folder, DistanceMetric metric, int k)
    {
        Matrix<double> r = Npy.ReadMatrixDouble(Fixture.Path("lof", folder, "R.npy"));
        QueryResult[] ours = BatchScorer.LeaveOneOut(r, k, metric);
        AssertAll(folder, "loo", ours, k);
        AssertClose(Npy.ReadVector(Fixture.Path("lof", folder, "loo_lof_sklearn.npy")), ours.Select(x => x.Scores.Lof).ToArray(), 1e-6, "sklearn negative_outlier_factor_");
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void NoveltyMatchesSklearnAndTheNumPyDefinitions(string folder, DistanceMetric metric, int k)
    {
        Matrix<double> r = Npy.ReadMatrixDouble(Fixture.Path("lof", folder, "R.npy"));
        Matrix<double> q = Npy.ReadMatrixDouble(Fixture.Path("lof", folder, "Q.npy"));
        QueryResult[] ours = BatchScorer.Novelty(q, r, k, metric);
        AssertAll(folder, "novelty", ours, k);
        AssertClose(Npy.ReadVector(Fixture.Path("lof", folder, "novelty_lof_sklearn.npy")), ours.Select(x => x.Scores.Lof).ToArray(), 1e-6, "sklearn score_samples");
    }

    private static void AssertAll(string folder, string mode, QueryResult[] ours, int k)
    {
        // Rows are loaded in order and none repeats, so a member's slot is its row index.
        int[,] knn = Npy.ReadIndexMatrix(Fixture.Path("lof", folder, $"{mode}_knn.npy"));
        for (int i = 0; i < ours.Length; i++)
        {
            Assert.Equal(k, ours[i].Neighbors.Length);
            for (int j = 0; j < k; j++)
            {
                Assert.True(knn[i, j] == ours[i].Neighbors[j].Slot, $"{mode} row {i}: neighbour {j} is {ours[i].Neighbors[j].Slot}, oracle says {knn[i, j]}");
            }
        }

        Check("kd", x => x.KDistance, 1e-9);
        Check("lrd", x => x.Lrd, 1e-9);
        Check("lof", x => x.Lof, 1e-9);
        Check("slof", x => x.Slof, 1e-9);
        Check("lid", x => x.Lid, 1e-6);
        Check("dao", x => x.Dao, 1e-6);

        void Check(string name, Func<OutlierScores, double> pick, double tolerance) =>
            AssertClose(Npy.ReadVector(Fixture.Path("lof", folder, $"{mode}_{name}.npy")), ours.Select(x => pick(x.Scores)).ToArray(), tolerance, $"{mode} {name}");
    }

    private static void AssertClose(double[] expected, double[] actual, double relTolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double rel = Math.Abs(actual[i] - expected[i]) / Math.Abs(expected[i]);
            Assert.True(rel <= relTolerance, $"{what} row {i}: ours {actual[i]:R}, oracle {expected[i]:R}, relative error {rel:G3}");
        }
    }
}
