using System.CommandLine;
using ClipGuard.Stream.Bench;
using ClipGuard.Stream.Index;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>`clipguard bench ...`: the benchmark commands whose output goes in docs/benchmarks.md.</summary>
internal static class BenchCommand
{
    public static Command Create()
    {
        var sizes = new Option<int[]>("--sizes") { Description = "Reference sizes", DefaultValueFactory = _ => [10_000, 100_000], AllowMultipleArgumentsPerToken = true };
        var dim = new Option<int>("--dim") { Description = "Embedding dimension", DefaultValueFactory = _ => 512 };
        Option<int> k = CommonOptions.K();
        var queries = new Option<int>("--queries") { Description = "Novelty queries per size", DefaultValueFactory = _ => 2000 };
        var updates = new Option<int>("--updates") { Description = "Incremental inserts and deletes per size", DefaultValueFactory = _ => 200 };
        Option<int> threads = CommonOptions.Threads();
        var noSklearn = new Option<bool>("--no-sklearn") { Description = "Skip the scikit-learn peer" };
        var scoring = new Command("scoring", "Exact novelty scoring, incremental insert/delete, k-NN flop rate vs sgemm, scikit-learn peer")
        {
            sizes, dim, k, queries, updates, threads, noSklearn,
        };
        scoring.SetAction(p => new ScoringBenchmark(Console.Out, Console.Error).Run(
            p.GetValue(sizes)!, p.GetValue(dim), p.GetValue(k), p.GetValue(queries), p.GetValue(updates), p.GetValue(threads), !p.GetValue(noSklearn)));
        var messages = new Option<int>("--messages") { Description = "Backlog messages", DefaultValueFactory = _ => 20_000 };
        var rate = new Option<int>("--rate") { Description = "Offered rate for the latency phase (messages/s)", DefaultValueFactory = _ => 200 };
        var seconds = new Option<int>("--seconds") { Description = "Duration of the latency phase", DefaultValueFactory = _ => 20 };
        var seedSize = new Option<int>("--seed-size") { Description = "Seed reference size", DefaultValueFactory = _ => 10_000 };
        var streamDim = new Option<int>("--dim") { Description = "Embedding dimension", DefaultValueFactory = _ => 512 };
        var capacity = new Option<int>("--capacity") { Description = "Reference capacity (equal to the seed size: a full reference)", DefaultValueFactory = _ => 10_000 };
        var maxIdle = new Option<TimeSpan>("--max-idle") { Description = "The service's --max-idle (a micro-batch leaves once no message came for this long; 00:00:00: off)", DefaultValueFactory = _ => TimeSpan.FromMilliseconds(10) };
        var fetchWait = new Option<int?>("--fetch-wait-ms") { Description = "The service's --fetch-wait-ms (how long the dev broker may hold its empty fetches; default: librdkafka's 500)" };
        var knnBackend = new Option<string>("--knn-backend") { Description = "The service's --knn-backend for stream queries (admission stays exact)", DefaultValueFactory = _ => "Exact" };
        knnBackend.AcceptOnlyFromAmong(Enum.GetNames<KnnBackend>());
        var guardSize = new Option<int?>("--guard-size") { Description = "The service's --guard-size (most seed members in the admission guard; 0 = all; default: the service's)" };
        var stream = new Command("stream", "End-to-end throughput and p50/p99 latency through the broker") { messages, streamDim, rate, seconds, seedSize, capacity, maxIdle, fetchWait, knnBackend, guardSize };
        stream.SetAction(p => new StreamBenchmark(Console.Out, Console.Error).Run(
            p.GetValue(messages), p.GetValue(streamDim), p.GetValue(rate), p.GetValue(seconds), p.GetValue(seedSize), p.GetValue(capacity), p.GetValue(maxIdle), p.GetValue(fetchWait), p.GetValue(knnBackend)!, p.GetValue(guardSize)));
        var memorySizes = new Option<int[]>("--sizes") { Description = "Reference sizes", DefaultValueFactory = _ => [50_000, 100_000], AllowMultipleArgumentsPerToken = true };
        var memory = new Command("memory", "Memory per reference member, by component (vector store, density state, bookkeeping, seed guard)") { memorySizes, dim, k, threads };
        memory.SetAction(p => new MemoryBenchmark(Console.Out, Console.Error).Run(p.GetValue(memorySizes)!, p.GetValue(dim), p.GetValue(k), p.GetValue(threads)));
        return new Command("bench", "Benchmarks (results go in docs/benchmarks.md)") { scoring, stream, memory, Embed(), AnnBenchCommand.Create(), Offline() };
    }

    private static Command Offline()
    {
        var model = new Option<string>("--model") { Description = "RN50 | ViT-B-32 | ViT-B-16", DefaultValueFactory = _ => "ViT-B-32" };
        var samples = new Option<int>("--samples") { Description = "Synthetic pairs", DefaultValueFactory = _ => 512 };
        var perShard = new Option<int>("--per-shard") { Description = "Pairs per webdataset shard", DefaultValueFactory = _ => 256 };
        var batch = new Option<int>("--batch") { Description = "Images per forward batch", DefaultValueFactory = _ => 64 };
        var reference = new Option<int>("--reference-size") { Description = "Clean reference size", DefaultValueFactory = _ => 256 };
        var scale = new Option<int>("--scale-rows") { Description = "Rows of the clean-at-scale measurement (|R| = 4096)", DefaultValueFactory = _ => 50_000 };
        Option<int> threads = CommonOptions.Threads();
        var offline = new Command("offline", "clipguard embed + clean on synthetic webdataset shards; projection to 3.3M pairs") { model, samples, perShard, batch, reference, scale, threads };
        offline.SetAction(p => new OfflineBenchmark(Console.Out, Console.Error).Run(
            p.GetValue(model)!, p.GetValue(samples), p.GetValue(perShard), p.GetValue(batch), p.GetValue(reference), p.GetValue(scale), p.GetValue(threads)));
        return offline;
    }

    private static Command Embed()
    {
        var threads = new Option<int>("--threads") { Description = "Torch and decode threads (0 = all cores)", DefaultValueFactory = _ => 0 };
        var models = new Option<string[]>("--model") { Description = "RN50 | ViT-B-32 | ViT-B-16 (repeatable)", DefaultValueFactory = _ => ["ViT-B-32"], AllowMultipleArgumentsPerToken = true };
        var batch = new Option<int>("--batch") { Description = "Images per forward batch", DefaultValueFactory = _ => 32 };
        var batches = new Option<int>("--batches") { Description = "Timed batches per model (after one warm-up)", DefaultValueFactory = _ => 3 };
        var decode = new Option<int>("--decode-images") { Description = "Images decoded for the decode rate", DefaultValueFactory = _ => 200 };
        var device = new Option<string>("--device") { Description = "Where the forward passes run: cpu, cuda or cuda:N (then also the largest difference from the CPU's embeddings)", DefaultValueFactory = _ => "cpu" };
        var embed = new Command("embed", "CLIP image decode+preprocess and forward throughput (random weights, real OpenCLIP configs)")
        {
            models, batch, batches, decode, threads, device,
        };
        embed.SetAction(p => new EmbeddingBenchmark(Console.Out, Console.Error).Run(
            p.GetValue(models)!, p.GetValue(batch), p.GetValue(batches), p.GetValue(decode), p.GetValue(threads), p.GetValue(device)!));
        return embed;
    }
}
