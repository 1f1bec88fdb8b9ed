using System.Diagnostics;
using System.Globalization;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.DevBroker;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Verdicts;
using ClipGuard.Stream.Lab.Replay;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Cli.Streaming;

/// <summary>How a replay goes through the broker: over how many partitions, and how long a stall may last.</summary>
internal sealed record ServiceReplaySettings
{
    /// <summary>The replay's <see cref="ReplayOptions.Limit"/> through the service unless --limit says otherwise: the mock cluster keeps every message in memory.</summary>
    public const int DefaultLimit = 20_000;

    /// <summary>The mock cluster keeps every message in memory, about 5 MiB per partition: messages are spread so each partition holds at most this.</summary>
    public const long BytesPerPartition = 4L << 20;

    /// <summary>Partitions of the input and output topics; 0 picks enough for <see cref="BytesPerPartition"/> (at least 16).</summary>
    public int Partitions { get; init; }

    /// <summary>Longest the service may go without routing one more sample before the replay gives up.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromMinutes(2);

    public void Validate()
    {
        if (Partitions is < 0 or > DevBrokerOptions.MaxPartitions)
        {
            throw new ArgumentException($"--partitions must be 0 (enough for the stream) or 1..{DevBrokerOptions.MaxPartitions} (got {Partitions})");
        }
    }
}

/// <summary>
/// <c>lab replay --through-service</c>: the replay's arrival order published to the dev broker (in process), the
/// real hosted service consuming it with the same trusted seed (a .npy, with its captions as --seed-captions) and scorer options, and the routes read
/// back from the output topics by a downstream consumer. Messages carry their precomputed embeddings: no model.
/// </summary>
internal static class ServiceReplay
{
    /// <exception cref="ArgumentException">The service refused its configuration.</exception>
    /// <exception cref="InvalidOperationException">The service stopped or stalled before routing every sample.</exception>
    public static ServiceReplayResult Run(string embeddings, string labelsPath, ReplayOptions options, ServiceReplaySettings settings, TextWriter log)
    {
        options.Validate();
        settings.Validate();
        string name = StreamReplay.RunName(embeddings);
        (Matrix<float> images, Matrix<float>? texts, string[] keys, bool[] poisoned) = StreamReplay.Load(embeddings, labelsPath);
        (List<int> seedRows, int[] stream, int available) = StreamReplay.Arrival(name, poisoned, options);
        bool captions = options.Captions && texts is not null;
        List<(string Id, byte[] Value)> messages = InProcessStream.Serialize(stream.Select(i =>
            new SampleEnvelope(keys[i], caption: "", images.RowReadOnly(i).ToArray(), image: null, source: "lab")
            {
                TextEmbedding = captions ? texts!.RowReadOnly(i).ToArray() : null,
            }));
        long bytes = messages.Sum(m => (long)m.Value.Length);
        int partitions = settings.Partitions > 0
            ? settings.Partitions
            : (int)Math.Clamp((bytes + ServiceReplaySettings.BytesPerPartition - 1) / ServiceReplaySettings.BytesPerPartition, 16, DevBrokerOptions.MaxPartitions);
        log.WriteLine(Inv($"lab replay: streaming {stream.Length} of {available} samples ({stream.Count(i => poisoned[i])} poisoned) through the service in the replay's arrival order: {bytes / 1048576.0:F1} MiB of envelopes with precomputed {images.Cols}-d image{(captions ? " and caption" : "")} embeddings over {partitions} partitions; seed {seedRows.Count} clean samples as a .npy{(captions ? " with their caption embeddings (--seed-captions)" : " (image embeddings only)")}"));

        DirectoryInfo folder = Directory.CreateTempSubdirectory("clipguard-replay-seed-");
        try
        {
            string seedPath = Path.Combine(folder.FullName, "seed.npy");
            Npy.Write(seedPath, StreamReplay.Rows(images, seedRows));
            string? seedCaptionsPath = null;
            if (captions)
            {
                seedCaptionsPath = Path.Combine(folder.FullName, "seed-captions.npy");
                Npy.Write(seedCaptionsPath, StreamReplay.Rows(texts!, seedRows));
            }

            using DevKafkaBroker broker = InProcessStream.StartBroker(partitions);
            InProcessStream.Publish(broker.BootstrapServers, "clipguard-lab-replay", messages);
            ServiceReplayResult result = Stream(broker, name, seedPath, seedCaptionsPath, images.Cols, stream, keys, poisoned, options, settings, partitions) with { Available = available };
            if (broker.CheckRetention().Values.Sum() is > 0 and long lost)
            {
                throw new InvalidOperationException($"the dev broker dropped {lost} messages past its ~5 MiB per partition: give more --partitions or a smaller --limit");
            }

            return result;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static ServiceReplayResult Stream(DevKafkaBroker broker, string name, string seedPath, string? seedCaptionsPath, int dimension, int[] stream, string[] keys, bool[] poisoned,
        ReplayOptions options, ServiceReplaySettings settings, int partitions)
    {
        Dictionary<string, string?> config = ServiceConfiguration(options);
        config["urls"] = "http://127.0.0.1:0";
        config["Logging:LogLevel:Default"] = "Warning";
        config["ClipGuard:Kafka:BootstrapServers"] = broker.BootstrapServers;
        config["ClipGuard:Kafka:MaxBatchSize"] = Inv($"{options.BatchSize}");
        config["ClipGuard:Stream:Dimension"] = Inv($"{dimension}");
        config["ClipGuard:Stream:SeedReference"] = seedPath;
        config["ClipGuard:Stream:SeedCaptions"] = seedCaptionsPath;
        using var errors = new StringWriter(CultureInfo.InvariantCulture);
        WebApplication app = InProcessStream.Build(config, errors) ?? throw new ArgumentException($"the service refused its configuration: {errors.ToString().Trim()}");
        try
        {
            using var collector = new VerdictListener(broker.BootstrapServers, "clipguard-lab-replay");
            var clock = Stopwatch.StartNew();
            try
            {
                app.StartAsync().GetAwaiter().GetResult();
            }
            catch (OptionsValidationException e)
            {
                throw new ArgumentException($"invalid service configuration: {string.Join("; ", e.Failures)}", e);
            }

            if (!InProcessStream.WaitUntilRouted(collector, stream.Length, app.Lifetime.ApplicationStopping, settings.StallTimeout, _ => { }))
            {
                throw new InvalidOperationException($"the service stopped or stalled before routing every sample ({collector.DistinctIds} of {stream.Length})");
            }

            double seconds = clock.Elapsed.TotalSeconds;
            return Count(name, collector.Snapshot(), stream, keys, poisoned, seconds, partitions);
        }
        finally
        {
            app.StopAsync().GetAwaiter().GetResult();
            ((IDisposable)app).Dispose();
        }
    }

    /// <summary>The routes read back, counted per sample (a sample's first copy decides; redeliveries are duplicates).</summary>
    internal static ServiceReplayResult Count(string name, IReadOnlyList<RoutedCopy> copies, int[] stream, string[] keys, bool[] poisoned, double seconds, int partitions)
    {
        var streamed = stream.ToDictionary(i => keys[i], i => poisoned[i], StringComparer.Ordinal);
        var first = new Dictionary<string, RoutedCopy>(StringComparer.Ordinal);
        var conflicting = new HashSet<string>(StringComparer.Ordinal);
        foreach (RoutedCopy copy in copies)
        {
            if (!first.TryAdd(copy.Id, copy) && first[copy.Id].Topic != copy.Topic)
            {
                conflicting.Add(copy.Id);
            }
        }

        int tp = 0, fp = 0, campaignPoisons = 0, campaignClean = 0, dead = 0;
        var campaigns = new HashSet<string>(StringComparer.Ordinal);
        foreach ((string id, RoutedCopy copy) in first)
        {
            bool poison = streamed.TryGetValue(id, out bool p) ? p : throw new InvalidDataException($"the service routed '{id}', which was not streamed");
            if (copy.Topic == TopicNames.DeadLetter)
            {
                dead++;
            }
            else if (copy.Topic == TopicNames.Quarantine)
            {
                _ = poison ? tp++ : fp++;
                if (copy.Headers.GetValueOrDefault(ClipGuardHeaders.Campaign) is { Length: > 0 } campaign)
                {
                    campaigns.Add(campaign);
                    _ = poison ? campaignPoisons++ : campaignClean++;
                }
            }
        }

        int poisons = stream.Count(i => poisoned[i]);
        var routes = new ReplayResult
        {
            Name = name,
            Poisons = poisons,
            Clean = stream.Length - poisons,
            TruePositives = tp,
            FalsePositives = fp,
            MaxPoisonsInReference = 0,
            PoisonsInReferenceAtEnd = 0,
            MaxPoisonsInCalibration = 0,
            ReferenceSizeAtEnd = 0,
            Admitted = 0,
            BelowFloor = 0,
            CalibrationHeldOut = 0,
            PoisonsInReference = [],
            Seconds = seconds,
            Campaigns = campaigns.Count,
            CampaignPoisons = campaignPoisons,
            CampaignClean = campaignClean,
        };
        return new ServiceReplayResult
        {
            Routes = routes,
            Available = stream.Length,
            Routed = first.Count,
            DeadLettered = dead,
            Duplicates = copies.Count - first.Count,
            Conflicting = conflicting.Count,
            Partitions = partitions,
        };
    }

    /// <summary>The scorer options as the service's configuration keys (ClipGuard:Scoring, as <c>clipguard run</c> sets them).</summary>
    internal static Dictionary<string, string?> ServiceConfiguration(ReplayOptions options)
    {
        StreamScorerOptions s = options.Scorer;
        const string Scoring = "ClipGuard:Scoring:";
        var config = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            [Scoring + "ThresholdRule"] = s.ThresholdRule.ToString(),
            [Scoring + "Detector"] = s.Detector.ToString(),
            [Scoring + "FalseQuarantineRate"] = Number(s.FalseQuarantineRate),
            [Scoring + "FalseDiscoveryRate"] = Number(s.FalseDiscoveryRate),
            [Scoring + "BudgetConfidence"] = Number(s.BudgetConfidence),
            [Scoring + "AdmissionFloor"] = Number(s.AdmissionFloor),
            [Scoring + "CalibrationShare"] = Number(s.CalibrationShare),
            [Scoring + "GuardSize"] = Inv($"{s.GuardSize}"),
            [Scoring + "CalibrationPoolSize"] = Inv($"{s.CalibrationPoolSize}"),
            [Scoring + "AgreementCalibration"] = s.AgreementCalibration.ToString(),
            [Scoring + "BootstrapSize"] = Inv($"{s.BootstrapSize}"),
            [Scoring + "Campaigns:Enabled"] = s.Campaigns.Enabled ? "true" : "false",
            [Scoring + "Campaigns:Grouping"] = s.Campaigns.Grouping.ToString(),
            [Scoring + "Campaigns:SuspectLevel"] = Number(s.Campaigns.SuspectLevel),
            [Scoring + "Campaigns:FoundingLevel"] = Number(s.Campaigns.FoundingLevel),
            [Scoring + "Campaigns:CaptionRadius"] = Number(s.Campaigns.CaptionRadius),
            [Scoring + "Campaigns:ImageJoinRadius"] = Number(s.Campaigns.ImageJoinRadius),
            [Scoring + "Campaigns:MinimumTrustedStart"] = s.Campaigns.MinimumTrustedStart.ToString(CultureInfo.InvariantCulture),
            [Scoring + "Reference:K"] = Inv($"{s.Reference.K}"),
            [Scoring + "Reference:Capacity"] = Inv($"{s.Reference.Capacity}"),
            [Scoring + "Reference:MaxSourceShare"] = Number(s.Reference.MaxSourceShare),
            [Scoring + "Reference:HoldBack"] = Inv($"{s.Reference.HoldBack}"),
            [Scoring + "Reference:Threads"] = Inv($"{s.Reference.Threads}"),
        };
        return config;
    }

    /// <summary>Invariant text; NaN (the option unset) is left out, so the service keeps its default.</summary>
    private static string? Number(double x) => double.IsNaN(x) ? null : x.ToString("R", CultureInfo.InvariantCulture);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
