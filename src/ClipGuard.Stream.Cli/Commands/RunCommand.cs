using System.CommandLine;
using System.Globalization;
using ClipGuard.Stream.Host.Hosting;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>
/// `clipguard run`: the stream service. Flags map onto configuration keys (so appsettings.json and environment
/// variables such as ClipGuard__Kafka__BootstrapServers work too); a flag given wins.
/// </summary>
internal static class RunCommand
{
    /// <param name="configure">Passed to <see cref="ClipGuardService.Run"/>: a host built around this command (a test's) may add or replace services.</param>
    public static Command Create(Action<Microsoft.Extensions.Hosting.IHostApplicationBuilder>? configure = null)
    {
        var command = new Command("run", "Consume image-text pairs, score, route to clean / quarantine / dead-letter (Ctrl-C or SIGTERM stops)");
        var map = new List<Flag>
        {
            Flag.Of<string>("--bootstrap", "Kafka bootstrap servers (host:port)", "ClipGuard:Kafka:BootstrapServers"),
            Flag.Of<string>("--group", "Consumer group id (default clipguard)", "ClipGuard:Kafka:GroupId"),
            Flag.Of<string>("--instance-id", "Static group membership: a stable id per replica, so a restarted replica takes its partitions back at once", "ClipGuard:Kafka:GroupInstanceId"),
            Flag.Of<string>("--input", "Input topic (default clipguard.pairs)", "ClipGuard:Kafka:InputTopic"),
            Flag.Of<string>("--delivery", "AtLeastOnce (default) | ExactlyOnce (real brokers)", "ClipGuard:Kafka:Delivery"),
            Flag.Of<int?>("--max-batch", "Micro-batch size (default 500)", "ClipGuard:Kafka:MaxBatchSize"),
            Flag.Of<string>("--max-delay", "Micro-batch delay, e.g. 00:00:00.200", "ClipGuard:Kafka:MaxBatchDelay"),
            Flag.Of<string>("--max-idle", "A micro-batch leaves once no message came for this long, e.g. 00:00:00.010 (00:00:00: wait out --max-delay)", "ClipGuard:Kafka:MaxBatchIdle"),
            Flag.Of<int?>("--fetch-wait-ms", "How long the broker may hold an empty fetch (librdkafka fetch.wait.max.ms; default 500)", "ClipGuard:Kafka:FetchWaitMaxMs"),
            Flag.Of<int?>("--max-message-bytes", "Larger messages are dead-lettered", "ClipGuard:Kafka:MaxMessageBytes"),
            Flag.Of<string>("--redis", "Redis configuration, e.g. 127.0.0.1:6379 (none: in-memory ledger)", "ClipGuard:Redis:Configuration"),
            Flag.Of<string>("--seed-reference", "Trusted seed reference: a .npy of embeddings, or a folder of image-text pairs (img2dataset or webdataset) the --model embeds; otherwise the first samples bootstrap it", "ClipGuard:Stream:SeedReference"),
            Flag.Of<string>("--seed-captions", "The caption embeddings of a .npy --seed-reference, row for row: the image-caption agreement signal calibrates on the seed from the start", "ClipGuard:Stream:SeedCaptions"),
            Flag.Of<int?>("--dimension", "Embedding dimension (default 512; the seed's when given)", "ClipGuard:Stream:Dimension"),
            Flag.Of<string>("--model", "OpenCLIP model (directory: weights + config JSON) that embeds image-only messages", "ClipGuard:Stream:Model"),
            Flag.Of<string>("--model-config", "The model's config JSON when --model names a weights file", "ClipGuard:Stream:ModelConfig"),
            Flag.Of<string>("--device", "Where the embedder runs: cpu (default), cuda or cuda:N (the CUDA build only: docs/embedding.md)", "ClipGuard:Stream:Device"),
            Flag.Of<int?>("--embed-threads", "libtorch threads for the embedder (default: libtorch's)", "ClipGuard:Stream:EmbedThreads"),
            Flag.Of<int?>("--decode-workers", "Image decode workers (default one per core)", "ClipGuard:Stream:DecodeWorkers"),
            Flag.Of<int?>("--embed-batch", "Images per forward pass (default 32)", "ClipGuard:Stream:EmbedBatch"),
            Flag.Of<string>("--bootstrap-timeout", "How long a quiet stream may hold the bootstrap buffer", "ClipGuard:Stream:BootstrapTimeout"),
            Flag.Of<string>("--detector", "kdist | lof | slof | dao (default dao)", "ClipGuard:Scoring:Detector"),
            Flag.Of<int?>("--k", "Neighbourhood size (default 16)", "ClipGuard:Scoring:Reference:K"),
            Flag.Of<string>("--metric", "euclidean | cosine", "ClipGuard:Scoring:Reference:Metric"),
            Flag.Of<int?>("--capacity", "Reference capacity (default 50000)", "ClipGuard:Scoring:Reference:Capacity"),
            Flag.Of<int?>("--hold-back", "Cleared samples wait this many later ones before entering the reference", "ClipGuard:Scoring:Reference:HoldBack"),
            Flag.Of<double?>("--max-source-share", "Largest reference share per source (default 0.05)", "ClipGuard:Scoring:Reference:MaxSourceShare"),
            Flag.Of<int?>("--bootstrap-size", "Samples scored leave-one-out before routing starts (no seed)", "ClipGuard:Scoring:BootstrapSize"),
            Flag.Of<double?>("--threshold-z", "Robust z cut on the reference's log-scores (default 5)", "ClipGuard:Scoring:ThresholdZ"),
            Flag.Of<double?>("--threshold", "A fixed threshold instead of calibration", "ClipGuard:Scoring:FixedThreshold"),
            Flag.Of<string>("--rule", "conformal (default) | robustz | quantile: how the decision is calibrated (docs/detection.md)", "ClipGuard:Scoring:ThresholdRule"),
            Flag.Of<double?>("--false-quarantine-rate", "Conformal rule: share of clean samples it may quarantine (default 0.0001; needs 19,999 calibration scores, seed members and held-out samples)", "ClipGuard:Scoring:FalseQuarantineRate"),
            Flag.Of<double?>("--budget-confidence", "Conformal rule: hold the false-quarantine rate in this deployment with this probability (e.g. 0.9; needs a large enough calibration, docs/detection.md)", "ClipGuard:Scoring:BudgetConfidence"),
            Flag.Of<double?>("--fdr", "Conformal rule: Benjamini–Hochberg per batch at this false-discovery rate instead", "ClipGuard:Scoring:FalseDiscoveryRate"),
            Flag.Of<string>("--agreement-calibration", "Conformal rule: what the image-caption agreement signal calibrates on: Trusted (the seed's pairs, when it has captions; default) | HeldOut (held-out stream samples)", "ClipGuard:Scoring:AgreementCalibration"),
            Flag.Of<int?>("--calibration-pool", "Conformal rule: most calibration scores kept, held-out samples first, then trusted seed members (default 25000; a larger trusted seed calibrates in full)", "ClipGuard:Scoring:CalibrationPoolSize"),
            Flag.Of<int?>("--guard-size", "Most members of the admission guard, a uniform sample of the starting reference (default 16384; 0 = every starting member)", "ClipGuard:Scoring:GuardSize"),
            Flag.Of<double?>("--calibration-share", "Conformal rule: share of cleared samples held out for calibration (default 0.05; 0 = the trusted seed alone calibrates, for budgets far below 1 per mille, docs/detection-results.md)", "ClipGuard:Scoring:CalibrationShare"),
            Flag.Of<double?>("--admission-floor", "Conformal rule: p-value a sample needs to enter the reference (default 0.2)", "ClipGuard:Scoring:AdmissionFloor"),
            Flag.Of<bool>("--campaigns", "Conformal rule: confirm campaigns among suspects (default on; --campaigns false turns it off; by image proximity unless --campaign-grouping says otherwise)", "ClipGuard:Scoring:Campaigns:Enabled"),
            Flag.Of<string>("--campaign-grouping", "With --campaigns: Image (default: suspects closer to each other than the reference is dense there) | Caption (one caption concept; needs a text tower) | Both", "ClipGuard:Scoring:Campaigns:Grouping"),
            Flag.Of<int?>("--campaign-min-trusted-start", "With --campaigns by image: fewest trusted seed (or bootstrap) members campaigns need (default 16384; a smaller start lets them take in clean samples, docs/detection.md)", "ClipGuard:Scoring:Campaigns:MinimumTrustedStart"),
            Flag.Of<double?>("--campaign-founding-level", "With --campaigns by image: fused p-value at or below which a suspect may found a campaign; weaker suspects only join one (default 0.005, docs/detection.md)", "ClipGuard:Scoring:Campaigns:FoundingLevel"),
            Flag.Of<double?>("--campaign-join-radius", "With --campaigns by image: a suspect joins a confirmed campaign with a member within this fraction of its own k-distance (default 0.75)", "ClipGuard:Scoring:Campaigns:ImageJoinRadius"),
            Flag.Of<string>("--route-pin-ttl", "How long the ledger pins each sample's route, so a redelivered message keeps it (default 00:10:00; 00:00:00 disables)", "ClipGuard:Stream:RoutePinTtl"),
            Flag.Of<string>("--rescore-interval", "Full re-score period, e.g. 00:10:00 (00:00:00 disables)", "ClipGuard:Stream:RescoreInterval"),
            Flag.Of<string>("--reference-images", "Directory keeping reference samples' images, so a changed --model re-embeds the reference", "ClipGuard:Stream:ReferenceImages"),
            Flag.Of<string>("--sentinel", "Sentinel directory: keep the window of recent pairs for `clipguard sentinel`, hot-swap its checkpoints, recall provisional verdicts (docs/sentinel.md; needs --model and --reference-images)", "ClipGuard:Sentinel:Directory"),
            Flag.Of<string>("--sentinel-poll", "With --sentinel: how often models/ is looked at for a new checkpoint, e.g. 00:00:10 (default)", "ClipGuard:Sentinel:Poll"),
            Flag.Of<string>("--provisional-window", "With --sentinel: how long a clean verdict may be recalled, e.g. 00:30:00 (default)", "ClipGuard:Sentinel:ProvisionalWindow"),
            Flag.Of<string>("--rejudge", "With --sentinel: which provisional samples a swap judges again: Once (default; those routed under the model it replaces) | EveryRound (the whole window)", "ClipGuard:Sentinel:Rejudge"),
            Flag.Of<string>("--snapshot", "Reference snapshot file: restored on start (then the reference log is replayed), saved periodically", "ClipGuard:Stream:SnapshotPath"),
            Flag.Of<string>("--snapshot-interval", "Snapshot period, e.g. 00:01:00 (default one minute)", "ClipGuard:Stream:SnapshotInterval"),
            Flag.Of<bool>("--replicate", "Share the reference with every replica through the compacted log clipguard.reference (needs --seed-reference)", "ClipGuard:Stream:Replicate"),
            Flag.Of<string>("--reference-topic", "The replicated reference log (default clipguard.reference)", "ClipGuard:Stream:ReferenceTopic"),
            Flag.Of<string>("--knn-backend", "k-NN backend of stream queries: Exact (default) | FaissFlat | FaissIvfFlat | FaissHnsw | USearchHnsw | IvfSimd", "ClipGuard:Index:Backend"),
            Flag.Of<int?>("--ivf-probes", "IVF lists scanned per query (default 32)", "ClipGuard:Index:IvfProbes"),
            Flag.Of<int?>("--hnsw-ef-search", "HNSW search candidate list length (default 128)", "ClipGuard:Index:HnswEfSearch"),
            Flag.Of<string>("--api-token", "Bearer token of the operator HTTP API (/api/quarantine); needs --redis", "ClipGuard:Api:Token"),
            Flag.Of<string>("--urls", "HTTP listen address (default http://127.0.0.1:0)", "urls"),
        };
        foreach (Flag flag in map)
        {
            command.Options.Add(flag.Option);
        }

        command.SetAction(parse =>
        {
            var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase) { ["urls"] = "http://127.0.0.1:0" };
            foreach (Flag flag in map)
            {
                if (flag.Read(parse) is { } value)
                {
                    settings[flag.Key] = value;
                }
            }

            return ClipGuardService.Run(settings, Console.Error, configure);
        });
        return command;
    }

    /// <summary>A flag, the configuration key it sets, and how to read it as invariant text when it was given.</summary>
    private sealed record Flag(Option Option, string Key, Func<ParseResult, string?> Read)
    {
        public static Flag Of<T>(string name, string description, string key)
        {
            var option = new Option<T>(name) { Description = description };
            return new Flag(option, key, parse => parse.GetResult(option) is null ? null : Convert.ToString(parse.GetValue(option), CultureInfo.InvariantCulture));
        }
    }
}
