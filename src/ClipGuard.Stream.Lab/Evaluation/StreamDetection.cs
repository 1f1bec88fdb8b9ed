using System.Diagnostics;
using System.Globalization;
using ClipGuard.Stream.Core.Evaluation;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Publishing;
using ClipGuard.Stream.Lab.Data;

namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>
/// Streaming mode through the real thing: a <c>clipguard dev-broker</c> process, the subset published as PNG image
/// envelopes (no embeddings), and one <c>clipguard run --model</c> process per detector and k (each its own consumer
/// group over the same input) seeded with a random reference of the training set's embeddings. The hold-back is
/// longer than the stream, so the reference stays the seed and every streamed score is a novelty score against it:
/// the same scores batch novelty computes, which is the comparison reported next to the stream's.
/// </summary>
public sealed class StreamDetection(Func<IReadOnlyList<string>, ProcessStartInfo> cli, ILabReporter reporter)
{
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(30);

    public StreamResult Run(PoisonedSet set, float[][] embeddings, string modelDirectory, string workDirectory, StreamEvalOptions options)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(embeddings);
        ArgumentNullException.ThrowIfNull(options);
        var rng = new Random(options.Seed);
        int[] reference = ReferenceSample.Draw(set.Poisoned, options.ReferenceSize, rng);
        int[] streamed = ReferenceSample.Draw(set.Poisoned, options.StreamSize, rng, reference.ToHashSet());
        Matrix<float> referenceMatrix = BatchDetection.Stack(embeddings, reference);
        string seedPath = Path.Combine(workDirectory, "stream-seed-reference.npy");
        Npy.Write(seedPath, referenceMatrix);
        Dictionary<string, int> rowOfId = streamed.ToDictionary(r => "fm" + set.SourceRows[r].ToString(CultureInfo.InvariantCulture), r => r, StringComparer.Ordinal);
        reporter.Info(string.Create(CultureInfo.InvariantCulture,
            $"stream: {streamed.Length} images ({streamed.Count(r => set.Poisoned[r])} poisoned), seed reference {reference.Length} ({reference.Count(r => set.Poisoned[r])} poisoned)"));

        using ChildProcess broker = StartBroker();
        string bootstrap = ReadBootstrap(broker);
        double publishRate = Publish(set, streamed, bootstrap);

        var rows = new List<DetectionRow>();
        var curves = new List<RocSeries>();
        var runs = new List<StreamRunReport>();
        var streamScores = new Dictionary<(OutlierDetector, int), double[]>();
        int[] labels = [.. streamed.Select(r => set.Poisoned[r] ? 1 : 0)];
        foreach (int k in options.Ks)
        {
            foreach (OutlierDetector detector in options.Detectors)
            {
                var (verdicts, report) = RunService(bootstrap, modelDirectory, seedPath, detector, k, options, rowOfId.Keys.ToHashSet(StringComparer.Ordinal));
                runs.Add(report);
                string[] ids = [.. streamed.Select(r => "fm" + set.SourceRows[r].ToString(CultureInfo.InvariantCulture))];
                double[] scores = [.. ids.Select(id => verdicts[id].Score)];
                streamScores[(detector, k)] = scores;
                bool[] quarantined = [.. ids.Select(id => verdicts[id].Topic == TopicNames.Quarantine)];
                int flagged = quarantined.Count(q => q), truePositives = Enumerable.Range(0, ids.Length).Count(i => quarantined[i] && labels[i] == 1);
                rows.Add(new DetectionRow(DetectionRow.Streaming, reference.Length, streamed.Length, k, detector, DetectionMetrics.Report(scores, labels))
                {
                    Precision = flagged == 0 ? double.NaN : (double)truePositives / flagged,
                    Recall = (double)truePositives / labels.Count(l => l == 1),
                });
                if (k == 16)
                {
                    var (fpr, tpr) = DetectionMetrics.RocCurve(scores, labels);
                    curves.Add(new RocSeries($"stream {BatchDetection.Name(detector)}", fpr, tpr));
                }
            }
        }

        // The same queries scored in batch against the same reference, from the batch embeddings.
        Matrix<float> queries = BatchDetection.Stack(embeddings, streamed);
        double maxDifference = 0;
        foreach (int k in options.Ks)
        {
            QueryResult[] novelty = BatchScorer.Novelty(queries, referenceMatrix, k, DistanceMetric.Euclidean, threads: 1);
            foreach (OutlierDetector detector in options.Detectors)
            {
                double[] scores = [.. novelty.Select(q => q.Scores.Get(detector))];
                rows.Add(new DetectionRow(DetectionRow.BatchNovelty, reference.Length, streamed.Length, k, detector, DetectionMetrics.Report(scores, labels)));
                double[] streamedScores = streamScores[(detector, k)];
                for (int i = 0; i < scores.Length; i++)
                {
                    maxDifference = Math.Max(maxDifference, Math.Abs(scores[i] - streamedScores[i]) / Math.Max(1e-12, Math.Abs(scores[i])));
                }
            }
        }

        broker.Stop(StopGrace);
        return new StreamResult(rows, curves, runs, publishRate, streamed.Length, reference.Length, maxDifference);
    }

    private ChildProcess StartBroker()
    {
        // The mock broker keeps ~5 MB per partition; 12 runs copy every image to the output topics, so spread them.
        ProcessStartInfo info = cli(["dev-broker", "--stop-on-stdin-eof", "--topics",
            $"{TopicNames.Pairs}:32,{TopicNames.Clean}:128,{TopicNames.Quarantine}:32,{TopicNames.DeadLetter}:4"]);
        return new ChildProcess(info, captureStdout: false);
    }

    private static string ReadBootstrap(ChildProcess broker)
    {
        Task<string?> read = Task.Run(() =>
        {
            while (broker.StandardOutput.ReadLine() is { } line)
            {
                if (line.StartsWith("BOOTSTRAP=", StringComparison.Ordinal))
                {
                    return line["BOOTSTRAP=".Length..];
                }
            }

            return null;
        });
        if (!read.Wait(TimeSpan.FromSeconds(120)) || read.Result is null)
        {
            throw new InvalidOperationException($"dev-broker printed no BOOTSTRAP line:\n{broker.Tail()}");
        }

        return read.Result;
    }

    private double Publish(PoisonedSet set, int[] streamed, string bootstrap)
    {
        string[] captions = [.. Captions.All(FashionMnist.ClassNames)];
        using var publisher = new EnvelopePublisher(new PublisherOptions { BootstrapServers = bootstrap, Topic = TopicNames.Pairs, BatchFlush = 1_000 });
        int sent = 0;
        IEnumerable<SampleEnvelope> envelopes = streamed.Select(r =>
        {
            reporter.Progress("publish", ++sent, streamed.Length);
            string id = "fm" + set.SourceRows[r].ToString(CultureInfo.InvariantCulture);
            byte[] png = LabImages.Png(set.Images.Image(r), set.Images.Width, set.Images.Height);
            return new SampleEnvelope(id, captions[set.CaptionClass(r) * Captions.Templates.Count], embedding: null, image: png);
        });
        PublishReport report = publisher.PublishAll(envelopes);
        if (report.Failed > 0 || report.Delivered != streamed.Length)
        {
            throw new InvalidOperationException($"publish: {report.Delivered} of {streamed.Length} delivered, first error: {report.FirstError}");
        }

        reporter.Info(string.Create(CultureInfo.InvariantCulture, $"published {report.Delivered} PNG envelopes at {report.MessagesPerSecond:0} msg/s"));
        return report.MessagesPerSecond;
    }

    private (Dictionary<string, StreamVerdict> Verdicts, StreamRunReport Report) RunService(
        string bootstrap, string modelDirectory, string seedPath, OutlierDetector detector, int k, StreamEvalOptions options, HashSet<string> expected)
    {
        string name = detector.ToString().ToLowerInvariant();
        string kText = k.ToString(CultureInfo.InvariantCulture);
        ProcessStartInfo info = cli(
        [
            "run", "--bootstrap", bootstrap, "--model", modelDirectory, "--seed-reference", seedPath, "--detector", name, "--k", kText,
            "--group", $"lab-{name}-{kText}", "--hold-back", (expected.Count + 1).ToString(CultureInfo.InvariantCulture),
            "--embed-threads", "1", "--decode-workers", "1", "--rescore-interval", "00:00:00", "--max-source-share", "1",
        ]);
        using var service = new ChildProcess(info);
        string stage = $"stream {BatchDetection.Name(detector)} k = {kText}";
        var (verdicts, seconds, threshold) = VerdictCollector.Collect(
            bootstrap, name, k, expected, service, options.RunTimeout, n => reporter.Progress(stage, n, expected.Count));
        int exit = service.Stop(StopGrace);
        if (exit != 0)
        {
            throw new InvalidOperationException($"clipguard run exited with {exit} after SIGTERM:\n{service.Tail()}");
        }

        var report = new StreamRunReport(name, k, verdicts.Count, seconds, threshold);
        reporter.Info(string.Create(CultureInfo.InvariantCulture,
            $"{stage}: {verdicts.Count} routed, {verdicts.Values.Count(v => v.Topic == TopicNames.Quarantine)} quarantined, {report.ImagesPerSecond:0} images/s, threshold {threshold:G4}"));
        return (verdicts, report);
    }
}
