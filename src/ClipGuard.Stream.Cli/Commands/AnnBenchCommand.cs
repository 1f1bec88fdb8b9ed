using System.CommandLine;
using ClipGuard.Stream.Bench;
using ClipGuard.Stream.Index;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>`clipguard bench ann`: approximate k-NN backends against exact search (docs/benchmarks.md, "ANN index").</summary>
internal static class AnnBenchCommand
{
    private static readonly string[] KnownBackends = ["flat", "ivf", "ivfsimd", "hnsw", "usearch"];

    public static Command Create()
    {
        var sizes = new Option<int[]>("--sizes") { Description = "Reference sizes", DefaultValueFactory = _ => [10_000, 100_000], AllowMultipleArgumentsPerToken = true };
        var dim = new Option<int>("--dim") { Description = "Embedding dimension", DefaultValueFactory = _ => 512 };
        Option<int> k = CommonOptions.K();
        var queries = new Option<int>("--queries") { Description = "Queries per size", DefaultValueFactory = _ => 1000 };
        Option<int> threads = CommonOptions.Threads();
        var lists = new Option<int>("--ivf-lists") { Description = "IVF lists (0: about 2·√|R|)", DefaultValueFactory = _ => 0 };
        var probes = new Option<int[]>("--ivf-probes") { Description = "IVF nprobe settings to measure", DefaultValueFactory = _ => [4, 8, 16, 32], AllowMultipleArgumentsPerToken = true };
        var m = new Option<int>("--hnsw-m") { Description = "HNSW links per node", DefaultValueFactory = _ => 16 };
        var efc = new Option<int>("--hnsw-ef-construction") { Description = "HNSW build breadth", DefaultValueFactory = _ => KnnIndexOptions.DefaultHnswEfConstruction };
        var ef = new Option<int[]>("--hnsw-ef") { Description = "HNSW efSearch settings to measure", DefaultValueFactory = _ => [32, 64, 128], AllowMultipleArgumentsPerToken = true };
        var hnswMax = new Option<int>("--hnsw-max-size") { Description = "Largest reference HNSW is built for (its build is slow in Debian's GENERIC FAISS)", DefaultValueFactory = _ => 100_000 };
        var scoreMax = new Option<int>("--score-max-size") { Description = "Largest reference whose exact all-k-NN state is computed for the score columns", DefaultValueFactory = _ => 100_000 };
        var backends = new Option<string[]>("--backends") { Description = "Approximate backends to measure: flat, ivf, ivfsimd, hnsw, usearch (exact always runs: it is the yardstick)", DefaultValueFactory = _ => ["flat", "ivf", "ivfsimd", "hnsw", "usearch"], AllowMultipleArgumentsPerToken = true };
        backends.Validators.Add(r =>
        {
            string[] unknown = r.GetValueOrDefault<string[]>().Where(b => !KnownBackends.Contains(b, StringComparer.OrdinalIgnoreCase)).ToArray();
            if (unknown.Length > 0)
            {
                r.AddError($"unknown backend(s) {string.Join(", ", unknown)}; choose from {string.Join(", ", KnownBackends)}");
            }
        });
        var um = new Option<int>("--usearch-m") { Description = "USearch HNSW connectivity (links per node)", DefaultValueFactory = _ => 16 };
        var uefc = new Option<int>("--usearch-ef-construction") { Description = "USearch expansion while adding", DefaultValueFactory = _ => 128 };
        var uef = new Option<int[]>("--usearch-ef") { Description = "USearch search expansions to measure", DefaultValueFactory = _ => [32, 64, 128, 256], AllowMultipleArgumentsPerToken = true };
        var ustorage = new Option<VectorStorage[]>("--usearch-storage") { Description = "USearch vector storage types to build (Float32, Float16, BFloat16)", DefaultValueFactory = _ => [VectorStorage.Float32], AllowMultipleArgumentsPerToken = true };
        um.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 2 or > 256)
            {
                r.AddError("--usearch-m must be in [2, 256]");
            }
        });
        uefc.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError("--usearch-ef-construction must be at least 1");
            }
        });
        probes.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int[]>().Any(x => x < 1))
            {
                r.AddError("every --ivf-probes must be at least 1");
            }
        });
        uef.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int[]>().Any(x => x < 1))
            {
                r.AddError("every --usearch-ef must be at least 1");
            }
        });
        var ann = new Command("ann", "FAISS flat / IVF-flat / HNSW, IVF with the SIMD kernel and USearch HNSW vs exact: build time, queries/s, recall@k, DAO/LOF score and AUROC differences")
        {
            sizes, dim, k, queries, threads, lists, probes, m, efc, ef, hnswMax, scoreMax, backends, um, uefc, uef, ustorage,
        };
        ann.SetAction(p => new AnnBenchmark(Console.Out, Console.Error).Run(new AnnBenchmarkSettings(
            p.GetValue(sizes)!, p.GetValue(dim), p.GetValue(k), p.GetValue(queries), p.GetValue(threads), p.GetValue(lists),
            p.GetValue(probes)!, p.GetValue(m), p.GetValue(efc), p.GetValue(ef)!, p.GetValue(hnswMax), p.GetValue(scoreMax),
            new HashSet<string>(p.GetValue(backends)!, StringComparer.OrdinalIgnoreCase),
            p.GetValue(um), p.GetValue(uefc), p.GetValue(uef)!, p.GetValue(ustorage)!)));
        return ann;
    }
}
