using System.Diagnostics;
using System.Globalization;
using System.Text;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.DevBroker;
using ClipGuard.Stream.Kafka.Clients;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Verdicts;
using Confluent.Kafka;

namespace ClipGuard.Stream.Bench;

/// <summary>
/// `clipguard bench stream`: end-to-end throughput and latency through a Kafka-protocol broker, with the service as a
/// separate process (`clipguard run`) and redis-server as the ledger when installed. Latency is measured from the
/// crawler's send time (a pass-through header) to the moment a downstream consumer receives the routed copy.
/// </summary>
public sealed class StreamBenchmark(TextWriter output, TextWriter log)
{
    private const string SentHeader = "bench-sent-ticks";
    private const int Partitions = 32;

    /// <summary>The service's own log, kept after the run for diagnosis.</summary>
    private static string ServiceLogPath => Path.Combine(Path.GetTempPath(), "clipguard-bench-stream-service.log");

    public int Run(int messages, int dim, int rate, int latencySeconds, int seedSize, int capacity, TimeSpan maxIdle, int? fetchWaitMs, string knnBackend = "Exact", int? guardSize = null)
    {
        string dir = Directory.CreateTempSubdirectory("clipguard-bench-stream-").FullName;
        // The mock cluster keeps about 5 MB per partition and drops the oldest messages beyond that (librdkafka's
        // rdkafka_mock.c), so the benchmark spreads its backlog over enough partitions to keep every message.
        using DevKafkaBroker broker = DevKafkaBroker.Start(new DevBrokerOptions
        {
            Topics = [new(TopicNames.Pairs, Partitions), new(TopicNames.Clean, Partitions), new(TopicNames.Quarantine, Partitions), new(TopicNames.DeadLetter, Partitions)],
        });
        using RedisServerProcess? redis = RedisServerProcess.TryStart(out string redisMissing);
        string? redisConfig = redis?.Configuration;
        Process? service = null;
        try
        {
            (Matrix<float> data, _) = SyntheticEmbeddings.Generate(seedSize + messages + (rate * latencySeconds), dim, 50, 0.02, 4242);
            string seed = Path.Combine(dir, "seed.npy");
            Npy.Write(seed, SyntheticEmbeddings.Slice(data, 0, seedSize));
            log.WriteLine(Inv($"bench: dev broker {broker.BootstrapServers}; ledger {(redisConfig is null ? $"in-memory ({redisMissing})" : "redis-server " + redisConfig)}"));

            using IProducer<byte[], byte[]> producer = new ProducerBuilder<byte[], byte[]>(KafkaClientFactory.LoadProducer(broker.BootstrapServers, "clipguard-bench-load", lingerMs: 2)).Build();
            for (int i = 0; i < messages; i++)
            {
                Produce(producer, data, seedSize + i, $"b{i}");
            }

            producer.Flush(TimeSpan.FromMinutes(1));
            // A downstream consumer of the outputs; a short fetch wait so the broker does not hold back what the latency measures.
            using var collector = new VerdictListener(broker.BootstrapServers, "bench", fetchWaitMaxMs: 5);
            var started = Stopwatch.StartNew();
            int port = FreePorts.FindConsecutive(1);
            service = StartService(broker.BootstrapServers, redisConfig, seed, capacity, port, maxIdle, fetchWaitMs, knnBackend, guardSize);
            log.WriteLine($"bench: service log in {ServiceLogPath}");
            double? firstAt = null;
            Cpu cpuAtFirst = default;
            while (collector.Count < messages)
            {
                if (service.HasExited)
                {
                    throw new InvalidOperationException($"clipguard run exited with code {service.ExitCode}; see {ServiceLogPath}");
                }

                if (started.Elapsed > TimeSpan.FromMinutes(5))
                {
                    throw new TimeoutException($"only {collector.Count} of {messages} messages routed in 5 minutes; see {ServiceLogPath}");
                }

                if (firstAt is null && collector.Count > 0)
                {
                    firstAt = started.Elapsed.TotalSeconds;
                    cpuAtFirst = Cpu.Now(service, redis);
                }

                Thread.Sleep(20);
            }

            double total = started.Elapsed.TotalSeconds;
            double steady = messages / (total - (firstAt ?? 0));
            Cpu cpu = Cpu.Now(service, redis) - cpuAtFirst;
            string exposition = Scrape(port);
            IReadOnlyList<StageTotal> stages = StageSplit.Parse(exposition);
            double heapMib = StageSplit.Gauge(exposition, "clipguard_memory_managed_heap_bytes") / 1048576;
            double committedMib = StageSplit.Gauge(exposition, "clipguard_memory_managed_committed_bytes") / 1048576;
            (double residentMib, double peakMib) = StageSplit.ProcessMemory(service.Id);
            log.WriteLine(Inv($"bench: backlog of {messages} routed {total:F1} s after start (first output after {firstAt:F1} s)"));

            // Latency at a fixed offered rate, after the backlog is gone.
            int before = collector.Count;
            int sent = 0;
            var pace = Stopwatch.StartNew();
            int latencyMessages = rate * latencySeconds;
            while (sent < latencyMessages)
            {
                int due = (int)Math.Min(latencyMessages, pace.Elapsed.TotalSeconds * rate);
                for (; sent < due; sent++)
                {
                    Produce(producer, data, seedSize + messages + sent, $"l{sent}");
                }

                producer.Poll(TimeSpan.FromMilliseconds(1));
            }

            producer.Flush(TimeSpan.FromMinutes(1));
            var wait = Stopwatch.StartNew();
            while (collector.Count < before + latencyMessages && wait.Elapsed < TimeSpan.FromMinutes(2))
            {
                Thread.Sleep(20);
            }

            double[] lat = [.. collector.Snapshot().Skip(before).Select(LatencyMs).Where(double.IsFinite).Order()];
            output.WriteLine(Inv($"End-to-end through the dev broker (librdkafka mock cluster, {Partitions} partitions per topic), d = {dim}, DAO k = 16, seed reference {seedSize}, reference capacity {capacity} ({(capacity > seedSize ? "growing: every cleared sample is inserted" : "full: reservoir admission")}), micro-batches of at most 500 messages, 200 ms, and {maxIdle.TotalMilliseconds:F0} ms without a new message (`--max-idle`; 0: off), the service's fetch wait {(fetchWaitMs is { } fw ? Inv($"{fw} ms") : "librdkafka's default (500 ms)")}, stream queries' k-NN backend {knnBackend} (admission exact), admission guard of {(guardSize is { } g ? (g == 0 ? "every seed member" : Inv($"at most {g:N0} seed members")) : "the service's default size")}, service = `clipguard run` as a separate process, ledger {(redisConfig is null ? "in memory" : "redis-server")}, {Environment.ProcessorCount} cores shared by broker, service, producer and consumer."));
            output.WriteLine();
            output.WriteLine("| measurement | value |");
            output.WriteLine("|---|---:|");
            output.WriteLine(Inv($"| backlog throughput, {messages} messages (first to last output) | {steady:F0} messages/s |"));
            output.WriteLine(Inv($"| backlog including start-up and seed load | {messages / total:F0} messages/s |"));
            output.WriteLine(Inv($"| latency at {rate} messages/s offered, {lat.Length} messages: p50 | {Percentile(lat, 0.50):F1} ms |"));
            output.WriteLine(Inv($"| latency p99 | {Percentile(lat, 0.99):F1} ms |"));
            output.WriteLine(Inv($"| latency max | {(lat.Length > 0 ? lat[^1] : double.NaN):F1} ms |"));
            WriteSplit(stages, cpu, total - (firstAt ?? 0));
            output.WriteLine();
            output.WriteLine(Inv($"Service memory after the backlog: {residentMib:F0} MiB resident, peak {peakMib:F0} MiB; managed heap at the last collection {heapMib:F0} MiB, committed by the collector {committedMib:F0} MiB, so about {residentMib - committedMib:F0} MiB native (Kafka client queues, runtime, libraries, code); the seed's raw vectors are {(double)seedSize * dim * sizeof(float) / 1048576:F0} MiB (`clipguard bench memory` breaks the reference's share down)."));
            return 0;
        }
        finally
        {
            if (service is { HasExited: false })
            {
                service.Kill(entireProcessTree: true);
                service.WaitForExit();
            }

            service?.Dispose();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Where the backlog's time went: the service's per-stage totals (its own <c>clipguard.stage.duration</c>, scraped
    /// once the backlog was routed; start-up is not a stage), and the CPU each process used from the first output to the last.
    /// </summary>
    private void WriteSplit(IReadOnlyList<StageTotal> stages, Cpu cpu, double seconds)
    {
        output.WriteLine();
        output.WriteLine(Inv($"Backlog phase ({seconds:F1} s of wall time, first to last output): the service's stages (`clipguard.stage.duration`, from its /metrics), and CPU per process."));
        output.WriteLine();
        output.WriteLine("| stage | seconds | share of the wall time | batches | ms per batch |");
        output.WriteLine("|---|---:|---:|---:|---:|");
        // score.knn, score.guard, score.admit and score.calibrate are parts of score: listed under it, not added to the total.
        var top = stages.Where(t => !t.Stage.Contains('.', StringComparison.Ordinal)).ToList();
        foreach (StageTotal stage in top)
        {
            output.WriteLine(Inv($"| {stage.Stage} | {stage.Seconds:F2} | {100 * stage.Seconds / seconds:F1} % | {stage.Batches} | {stage.MillisecondsPerBatch:F2} |"));
            foreach (StageTotal part in stages.Where(t => t.Stage.StartsWith(stage.Stage + ".", StringComparison.Ordinal)))
            {
                output.WriteLine(Inv($"| of which {part.Stage} | {part.Seconds:F2} | {100 * part.Seconds / seconds:F1} % | {part.Batches} | {part.MillisecondsPerBatch:F2} |"));
            }
        }

        if (stages.Count == 0)
        {
            output.WriteLine("| (the service's /metrics could not be read) | | | | |");
        }

        // The stage totals count every batch, also the one routed before the first output opened the window, so the
        // difference can dip below zero when the loop had no other work.
        double rest = seconds - top.Sum(t => t.Seconds);
        output.WriteLine(rest >= 0
            ? Inv($"| rest of the loop (consume, batch wait, held messages, bookkeeping) | {rest:F2} | {100 * rest / seconds:F1} % | | |")
            : Inv($"| rest of the loop | ≈ 0 (the stages' {-rest:F2} s beyond the window: the first batch ran before its output opened it) | | | |"));
        output.WriteLine();
        output.WriteLine("| process | CPU seconds | cores busy (of " + Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture) + ") |");
        output.WriteLine("|---|---:|---:|");
        output.WriteLine(Inv($"| service (`clipguard run`) | {cpu.Service:F1} | {cpu.Service / seconds:F2} |"));
        output.WriteLine(Inv($"| bench process: dev broker + downstream consumer (the crawler's backlog was published before) | {cpu.Bench:F1} | {cpu.Bench / seconds:F2} |"));
        output.WriteLine(Inv($"| redis-server | {cpu.Redis:F1} | {cpu.Redis / seconds:F2} |"));
    }

    private static string Scrape(int port)
    {
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            return http.GetStringAsync(new Uri(Inv($"http://127.0.0.1:{port}/metrics"))).GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return string.Empty;
        }
    }

    /// <summary>CPU seconds used so far by the service, this process and redis-server.</summary>
    private readonly record struct Cpu(double Service, double Bench, double Redis)
    {
        public static Cpu Now(Process service, RedisServerProcess? redis) => new(
            StageSplit.ProcessCpuSeconds(service.Id),
            StageSplit.ProcessCpuSeconds(Environment.ProcessId),
            redis?.ProcessId is { } pid ? StageSplit.ProcessCpuSeconds(pid) : double.NaN);

        public static Cpu operator -(Cpu a, Cpu b) => new(a.Service - b.Service, a.Bench - b.Bench, a.Redis - b.Redis);
    }

    private static void Produce(IProducer<byte[], byte[]> producer, Matrix<float> data, int row, string id)
    {
        var envelope = new SampleEnvelope(id, "bench", data.RowReadOnly(row).ToArray(), null, source: $"crawler-{row % 5}");
        var headers = new Headers { { SentHeader, Encoding.ASCII.GetBytes(Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture)) } };
        producer.Produce(TopicNames.Pairs, new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(id), Value = EnvelopeWriter.ToUtf8Bytes(envelope), Headers = headers });
    }

    private static Process StartService(string bootstrap, string? redis, string seed, int capacity, int port, TimeSpan maxIdle, int? fetchWaitMs, string knnBackend, int? guardSize)
    {
        // The service is this program again: under `dotnet clipguard.dll` (./clipguard) it needs the dll's path, under
        // the apphost (bin/.../clipguard) it is the apphost alone.
        string host = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "clipguard.dll"));
        }

        foreach (string a in new[] { "run", "--bootstrap", bootstrap, "--seed-reference", seed, "--capacity", capacity.ToString(CultureInfo.InvariantCulture), "--hold-back", "1000", "--max-source-share", "0.5", "--max-idle", maxIdle.ToString("c", CultureInfo.InvariantCulture), "--urls", Inv($"http://127.0.0.1:{port}") })
        {
            info.ArgumentList.Add(a);
        }

        info.ArgumentList.Add("--knn-backend");
        info.ArgumentList.Add(knnBackend);
        if (fetchWaitMs is { } wait)
        {
            info.ArgumentList.Add("--fetch-wait-ms");
            info.ArgumentList.Add(wait.ToString(CultureInfo.InvariantCulture));
        }

        if (guardSize is { } guard)
        {
            info.ArgumentList.Add("--guard-size");
            info.ArgumentList.Add(guard.ToString(CultureInfo.InvariantCulture));
        }

        if (redis is not null)
        {
            info.ArgumentList.Add("--redis");
            info.ArgumentList.Add(redis);
        }

        Process p = Process.Start(info) ?? throw new InvalidOperationException("could not start clipguard run");
        var serviceLog = new StreamWriter(ServiceLogPath) { AutoFlush = true };
        p.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (serviceLog) { serviceLog.WriteLine(e.Data); } } };
        p.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (serviceLog) { serviceLog.WriteLine(e.Data); } } };
        p.Exited += (_, _) => serviceLog.Dispose();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>From the crawler's send time (the pass-through header) to the moment the consumer received the copy;
    /// NaN for a copy without it.</summary>
    private static double LatencyMs(RoutedCopy copy) =>
        copy.Headers.TryGetValue(SentHeader, out string? sent) && long.TryParse(sent, NumberStyles.None, CultureInfo.InvariantCulture, out long ticks)
            ? Stopwatch.GetElapsedTime(ticks, copy.ReceivedTimestamp).TotalMilliseconds
            : double.NaN;

    private static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
