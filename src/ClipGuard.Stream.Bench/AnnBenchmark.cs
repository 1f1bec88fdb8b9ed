using System.Diagnostics;
using System.Globalization;
using ClipGuard.Stream.Core.Knn;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Index;
using ClipGuard.Stream.Index.Faiss;
using ClipGuard.Stream.Index.Ivf;
using ClipGuard.Stream.Index.USearch;

namespace ClipGuard.Stream.Bench;

/// <summary>
/// `clipguard bench ann`: every k-NN backend against exact search on clustered data with planted outliers: build time,
/// queries/s, recall@k, and what the approximation does to DAO and LOF (mean relative score difference and AUROC
/// difference, scores from the scoring core with the approximate neighbours, their distances refined canonically).
/// </summary>
public sealed class AnnBenchmark(TextWriter output, TextWriter log)
{
    private double _imbalance = double.NaN;
    private string _acceleration = "";
    private int[] _queryLabels = [];

    private const double QueryOutlierFraction = 0.05;

    public int Run(AnnBenchmarkSettings s)
    {
        int threads = s.Threads > 0 ? s.Threads : Environment.ProcessorCount;
        output.WriteLine(Inv($"ANN vs exact, d = {s.Dim}, k = {s.K}, {s.Queries} queries ({QueryOutlierFraction:P0} planted outliers), {threads} threads, {Environment.ProcessorCount} cores; FAISS's BLAS calls ran with {OpenBlasKernel.Description}."));
        output.WriteLine();
        output.WriteLine("| reference size | backend | setting | build s | queries/s | speed-up vs exact | recall@k | recall@k, outlier queries | DAO rel. diff median / p95 | LOF rel. diff median / p95 | ΔAUROC DAO | ΔAUROC LOF | load avg |");
        output.WriteLine("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (int n in s.Sizes)
        {
            RunSize(n, s, threads);
        }

        return 0;
    }

    private void RunSize(int n, AnnBenchmarkSettings s, int threads)
    {
        log.WriteLine(Inv($"bench ann: |R| = {n:N0}: generating data..."));
        (Matrix<float> all, int[] labels) = SyntheticEmbeddings.Generate(n + s.Queries, s.Dim, clusters: Math.Max(10, n / 500), outlierFraction: QueryOutlierFraction, seed: n);
        float[] queries = all.Data.AsSpan(n * s.Dim, s.Queries * s.Dim).ToArray();
        int[] queryLabels = labels[n..];
        _queryLabels = queryLabels;
        long[] ids = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        ReadOnlyMemory<float> reference = all.Data.AsMemory(0, n * s.Dim);

        Scorer? scorer = null;
        if (n <= s.ScoreMaxSize)
        {
            log.WriteLine(Inv($"bench ann: |R| = {n:N0}: exact reference state (all k-NN) for the score columns..."));
            (DensityModel<float> model, int[] slotOfRow) = BatchScorer.Build(new Matrix<float>(n, s.Dim, reference.ToArray()), s.K, DistanceMetric.Euclidean, threads);
            scorer = new Scorer(model, slotOfRow, queries, s.Dim, s.K, queryLabels);
        }

        var exactOptions = new KnnIndexOptions { Backend = KnnBackend.Exact, Dimension = s.Dim, Threads = threads };
        (KnnResult truth, double exactQps, double exactBuild) = Measure(exactOptions, ids, reference, queries, s, trainRows: n, settings: [exactOptions], row: null);
        string baseline = "";
        if (scorer is not null)
        {
            (double aucDao, double aucLof) = scorer.ExactAuroc(truth);
            baseline = Inv($"; exact AUROC DAO {aucDao:F4}, LOF {aucLof:F4}");
        }

        Row(n, "exact", "SIMD, float64 refine" + baseline, exactBuild, exactQps, exactQps, scorer, truth, truth);
        GC.Collect();

        var flat = new KnnIndexOptions { Backend = KnnBackend.FaissFlat, Dimension = s.Dim };
        if (s.Backends.Contains("flat"))
        {
            Measure(flat, ids, reference, queries, s, n, [flat], (o, r, qps, build) => Row(n, "faiss flat", "IDMap2(Flat)", build, qps, exactQps, scorer, truth, r));
        }

        int lists = s.IvfLists > 0 ? s.IvfLists : Math.Max(16, (int)Math.Round(2 * Math.Sqrt(n)));
        int train = Math.Min(n, Math.Max(64 * lists, 20_000));
        var ivfSettings = s.IvfProbes.Where(p => p <= lists)
            .Select(p => new KnnIndexOptions { Backend = KnnBackend.FaissIvfFlat, Dimension = s.Dim, IvfLists = lists, IvfProbes = p }).ToArray();
        if (s.Backends.Contains("ivf") && ivfSettings.Length > 0)
        {
            Measure(ivfSettings[0], ids, reference, queries, s, train, ivfSettings,
                (o, r, qps, build) => Row(n, "faiss IVF-flat", Inv($"lists={lists}, nprobe={o.IvfProbes} (trained on {train:N0}; list imbalance {_imbalance:F2})"), build, qps, exactQps, scorer, truth, r));
        }

        var simdSettings = s.IvfProbes.Where(p => p <= lists)
            .Select(p => new KnnIndexOptions { Backend = KnnBackend.IvfSimd, Dimension = s.Dim, Threads = threads, IvfLists = lists, IvfProbes = p }).ToArray();
        if (s.Backends.Contains("ivfsimd") && simdSettings.Length > 0)
        {
            Measure(simdSettings[0], ids, reference, queries, s, n, simdSettings,
                (o, r, qps, build) => Row(n, "IVF + SIMD kernel", Inv($"lists={lists}, nprobe={o.IvfProbes} (k-means++ seeds; list imbalance {_imbalance:F2})"), build, qps, exactQps, scorer, truth, r));
            GC.Collect();
        }

        if (s.Backends.Contains("hnsw") && n <= s.HnswMaxSize)
        {
            var hnswSettings = s.HnswEf.Select(ef => new KnnIndexOptions { Backend = KnnBackend.FaissHnsw, Dimension = s.Dim, HnswM = s.HnswM, HnswEfConstruction = s.HnswEfConstruction, HnswEfSearch = ef }).ToArray();
            Measure(hnswSettings[0], ids, reference, queries, s, n, hnswSettings,
                (o, r, qps, build) => Row(n, "faiss HNSW", Inv($"M={o.HnswM}, efC={o.HnswEfConstruction}, efSearch={o.HnswEfSearch}"), build, qps, exactQps, scorer, truth, r));
        }
        else
        {
            log.WriteLine(Inv($"bench ann: |R| = {n:N0}: HNSW skipped (above --hnsw-max-size {s.HnswMaxSize:N0})"));
        }

        if (s.Backends.Contains("usearch"))
        {
            foreach (VectorStorage storage in s.USearchStorage)
            {
                var usearchSettings = s.USearchEf.Select(ef => new KnnIndexOptions
                {
                    Backend = KnnBackend.USearchHnsw, Dimension = s.Dim, Threads = threads, HnswM = s.USearchM,
                    HnswEfConstruction = s.USearchEfConstruction, HnswEfSearch = ef, USearchStorage = storage,
                }).ToArray();
                Measure(usearchSettings[0], ids, reference, queries, s, n, usearchSettings,
                    (o, r, qps, build) => Row(n, "usearch HNSW", Inv($"M={o.HnswM}, efC={o.HnswEfConstruction}, ef={o.HnswEfSearch}, {storage} ({_acceleration})"), build, qps, exactQps, scorer, truth, r));
                GC.Collect();
            }
        }
    }

    /// <summary>Builds one index, then for each search setting warms up, times the queries and reports a row.</summary>
    private (KnnResult Last, double Qps, double Build) Measure(
        KnnIndexOptions build, long[] ids, ReadOnlyMemory<float> reference, float[] queries, AnnBenchmarkSettings s, int trainRows,
        KnnIndexOptions[] settings, Action<KnnIndexOptions, KnnResult, double, double>? row)
    {
        log.WriteLine(Inv($"bench ann: building {build.Backend} over {ids.Length:N0} vectors..."));
        var sw = Stopwatch.StartNew();
        using IKnnIndex index = KnnIndexFactory.Create(build);
        // IVF trains on its first batch: hand it a prefix (FAISS would otherwise cluster every point).
        index.Add(ids.AsSpan(0, trainRows), reference.Span[..(trainRows * s.Dim)]);
        if (trainRows < ids.Length)
        {
            index.Add(ids.AsSpan(trainRows), reference.Span[(trainRows * s.Dim)..]);
        }

        double buildSeconds = sw.Elapsed.TotalSeconds;
        _imbalance = index switch
        {
            FaissKnnIndex faiss => faiss.IvfImbalance,
            IvfSimdIndex simd => simd.Imbalance,
            _ => double.NaN,
        };
        _acceleration = (index as USearchKnnIndex)?.Acceleration ?? "";
        KnnResult last = null!;
        double qps = 0;
        foreach (KnnIndexOptions o in settings)
        {
            index.ApplySearchOptions(o);
            index.Search(queries.AsSpan(0, Math.Min(16, s.Queries) * s.Dim), s.K);
            sw.Restart();
            last = index.Search(queries, s.K);
            qps = s.Queries / sw.Elapsed.TotalSeconds;
            row?.Invoke(o, last, qps, buildSeconds);
        }

        return (last, qps, buildSeconds);
    }

    private void Row(int n, string backend, string setting, double build, double qps, double exactQps, Scorer? scorer, KnnResult truth, KnnResult found)
    {
        double recall = Recall(truth, found, _ => true);
        double outlierRecall = Recall(truth, found, q => _queryLabels[q] == 1);
        string dao = "—", lof = "—", dDao = "—", dLof = "—";
        if (scorer is not null)
        {
            (double[] relDao, double[] relLof, double aucDao, double aucLof, int shortRows) = scorer.Compare(truth, found);
            setting += shortRows > 0 ? Inv($"; {shortRows} queries short of k, scored exactly") : "";
            dao = Inv($"{Quantile(relDao, 0.5):G2} / {Quantile(relDao, 0.95):G2}");
            lof = Inv($"{Quantile(relLof, 0.5):G2} / {Quantile(relLof, 0.95):G2}");
            dDao = Inv($"{aucDao:+0.0000;-0.0000;0}");
            dLof = Inv($"{aucLof:+0.0000;-0.0000;0}");
        }

        output.WriteLine(Inv($"| {n:N0} | {backend} | {setting} | {build:F1} | {qps:F0} | {qps / exactQps:F1}x | {recall:F4} | {outlierRecall:F4} | {dao} | {lof} | {dDao} | {dLof} | {LoadAverage()} |"));
        output.Flush();
    }

    /// <summary>The 1-minute load average: the machine is shared, and a row's speed means little without it.</summary>
    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static double Quantile(double[] sorted, double p) => sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(p * sorted.Length))];

    /// <summary>Share of the exact neighbours found, over the queries <paramref name="counted"/> selects.</summary>
    private static double Recall(KnnResult truth, KnnResult found, Func<int, bool> counted)
    {
        long hits = 0, total = 0;
        for (int q = 0; q < truth.Queries; q++)
        {
            if (!counted(q))
            {
                continue;
            }

            var expected = new HashSet<long>(truth.IdsOf(q).ToArray());
            total += expected.Count;
            foreach (long id in found.IdsOf(q))
            {
                hits += expected.Contains(id) ? 1 : 0;
            }
        }

        return (double)hits / total;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
