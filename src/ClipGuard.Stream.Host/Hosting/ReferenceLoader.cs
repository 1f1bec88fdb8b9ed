using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Host.Reembedding;
using ClipGuard.Stream.Host.Settings;
using ClipGuard.Stream.Host.Worker;
using ClipGuard.Stream.Index.Persistence;
using ClipGuard.Stream.Kafka.Replication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Hosting;

/// <summary>
/// Builds the scorer the stream starts with: from the newest good snapshot (re-embedded first when it was built under
/// another checkpoint), else from the seed reference, else empty (the first samples bootstrap it).
/// </summary>
internal sealed class ReferenceLoader(
    IOptions<ReferenceStoreOptions> store,
    IOptions<EmbeddingStageOptions> embedding,
    IOptions<ReplicationOptions> replication,
    IOptions<StreamScorerOptions> scoring,
    IOptions<SentinelOptions> sentinel,
    TimeProvider time,
    ILoggerFactory loggers)
{
    private readonly ILogger _log = loggers.CreateLogger("ClipGuard.Stream.Host");

    /// <summary>The snapshot store when snapshots are configured (its loads and saves log what they did).</summary>
    public ReferenceSnapshotStore? SnapshotStore() =>
        string.IsNullOrWhiteSpace(store.Value.SnapshotPath) ? null : new ReferenceSnapshotStore(store.Value.SnapshotPath, loggers.CreateLogger<ReferenceSnapshotStore>());

    public ReferenceImageStore? ReferenceImages() =>
        store.Value.ReferenceImages is { Length: > 0 } directory ? new ReferenceImageStore(directory) : null;

    public StreamScorer Load(StreamImageEmbedder? embedder, ReferenceSnapshotStore? snapshots, ReferenceImageStore? images, CancellationToken cancel)
    {
        ReferenceStoreOptions options = store.Value;
        StreamScorerOptions scorerOptions = scoring.Value;
        bool replicate = replication.Value.Replicate;
        int dimension = options.Dimension;
        if (embedder is not null)
        {
            // Verdicts name the checkpoint that produced (or must have produced) the embedding they scored.
            dimension = embedder.EmbedDim;
            scorerOptions.ModelVersion = embedder.ModelVersionLabel;
        }

        if (snapshots?.LoadLatest<float>() is { } restored)
        {
            if (embedder is not null && restored.ModelVersion is { } was && was != embedder.ModelVersionLabel)
            {
                restored = Reembedded(restored, embedder, images, snapshots, cancel);
            }

            return WithModel(Restored(restored, scorerOptions, dimension, embedder is not null), embedder);
        }

        if (string.IsNullOrWhiteSpace(options.SeedReference))
        {
            return WithModel(new StreamScorer(dimension, scorerOptions) { ReplicatedAdmission = replicate }, embedder);
        }

        if (Directory.Exists(options.SeedReference))
        {
            if (embedder is null)
            {
                throw Invalid($"the seed reference {options.SeedReference} is a folder of image-text pairs: embedding it needs --model (or give a .npy of embeddings)");
            }

            // With a sentinel, the seed's pairs are also kept in its window (trained on, and a swap's calibration).
            var kept = new List<(string Id, byte[] Image, string Caption)>();
            (List<string> ids, Matrix<float> seedImages, Matrix<float>? captions) = SeedFolder.Embed(
                options.SeedReference, embedder.Pipeline, dimension, SeedFolder.MaxMemberBytes, _log, cancel,
                images is null && !sentinel.Value.Enabled ? null : (id, image, caption) =>
                {
                    images?.Put(id, image, caption);
                    if (sentinel.Value.Enabled)
                    {
                        kept.Add((id, image, caption));
                    }
                });
            Sentinel.SeedPairs? halves = null;
            if (sentinel.Value.Enabled)
            {
                halves = new Sentinel.SeedPairs(new Offline.Sentinel.SentinelLayout(sentinel.Value.Directory!));
                halves.Write(kept, sentinel.Value.FitSeedShare);
            }

            var folderScorer = new StreamScorer(dimension, scorerOptions) { ReplicatedAdmission = replicate };
            folderScorer.Seed(ids, seedImages, captions);
            Log.SeedLoaded(_log, options.SeedReference, seedImages.Rows, folderScorer.Threshold);
            WarnIfHalvesCannotReachTheBudget(folderScorer, halves);
            return WithModel(folderScorer, embedder);
        }

        Matrix<float> seed = Npy.ReadMatrixSingle(options.SeedReference);
        if (seed.Cols != dimension && embedder is not null)
        {
            throw new InvalidOperationException($"The seed reference {options.SeedReference} has {seed.Cols}-d embeddings but the model {embedding.Value.Model} embeds in {dimension}-d");
        }

        Matrix<float>? seedCaptions = null;
        if (!string.IsNullOrWhiteSpace(options.SeedCaptions))
        {
            seedCaptions = Npy.ReadMatrixSingle(options.SeedCaptions);
            if (seedCaptions.Rows != seed.Rows || seedCaptions.Cols != seed.Cols)
            {
                throw Invalid($"the seed captions {options.SeedCaptions} are {seedCaptions.Rows} x {seedCaptions.Cols}, the seed reference {options.SeedReference} {seed.Rows} x {seed.Cols}: they must match row for row");
            }
        }

        var scorer = new StreamScorer(seed.Cols, scorerOptions) { ReplicatedAdmission = replicate };
        scorer.Seed(Enumerable.Range(0, seed.Rows).Select(i => $"seed-{i}").ToList(), seed, seedCaptions);
        Log.SeedLoaded(_log, options.SeedReference, seed.Rows, scorer.Threshold);
        return WithModel(scorer, embedder);
    }

    /// <summary>Records which checkpoint's space the reference lives in (unknown when messages carry their own embeddings).</summary>
    private static StreamScorer WithModel(StreamScorer scorer, StreamImageEmbedder? embedder)
    {
        if (embedder is not null)
        {
            scorer.Reference.ModelVersion = embedder.ModelVersionLabel;
        }

        return scorer;
    }

    /// <summary>
    /// The snapshot was built under another checkpoint: distances between two models' spaces mean nothing, so the
    /// reference is re-embedded from its stored images before anything is scored, and saved at once (a crash after
    /// this does not repeat the work). Without stored images, or under replication (each replica would re-embed on its
    /// own, and the log still holds offers in the old space), the start stops and says what to do.
    /// </summary>
    private ReferenceSet<float> Reembedded(
        ReferenceSet<float> restored, StreamImageEmbedder embedder, ReferenceImageStore? images, ReferenceSnapshotStore snapshots, CancellationToken cancel)
    {
        string was = restored.ModelVersion!, now = embedder.ModelVersionLabel;
        string? path = store.Value.SnapshotPath;
        if (replication.Value.Replicate)
        {
            throw Invalid($"the reference snapshot {path} was built with model {was}, this run embeds with {now}, and the reference is replicated: "
                 + "stop every replica, run one without --replicate and with --reference-images to re-embed and save the snapshot, "
                 + "then start all replicas from copies of that snapshot with a new, empty --reference-topic (see docs/embedding.md)");
        }

        if (images is null)
        {
            throw Invalid($"the reference snapshot {path} was built with model {was}, this run embeds with {now}: re-embedding the reference needs its images "
                 + "(--reference-images, kept by the run that built it); or move the snapshot away to start from the seed");
        }

        ReferenceSetState<float> state = restored.ExportState();
        int total = state.Members.Count + state.HoldBack.Count;
        Log.ReembedStarting(_log, was, now, total, images.Directory);
        long start = time.GetTimestamp();
        var progress = new ThrottledProgress(time, TimeSpan.FromSeconds(5), done => Log.ReembedProgress(_log, done, total, time.GetElapsedTime(start).TotalSeconds));
        ReembedReport report = ReferenceReembedder.ReembedAsync(state, images, embedder.Pipeline, embedder.EmbedDim, progress, cancel).GetAwaiter().GetResult();
        ReferenceSet<float> moved = ReferenceSet<float>.Restore(report.Result.State);
        snapshots.Save(moved);
        Log.Reembedded(_log, now, time.GetElapsedTime(start).TotalSeconds, report.Embedded, report.Result.Dropped.Count,
            report.WithoutImage, report.Rejected.Count, moved.Count, moved.Version);
        return moved;
    }

    /// <summary>
    /// A scorer over a restored reference. The snapshot's reference options must be this run's: a different k,
    /// capacity or admission rule would score and admit unlike the replicas (and the run) that made the snapshot.
    /// </summary>
    private StreamScorer Restored(ReferenceSet<float> restored, StreamScorerOptions scorerOptions, int dimension, bool embedder)
    {
        ReferenceSetOptions saved = restored.Options, asked = scorerOptions.Reference;
        var differences = new List<string>();
        void Compare<TValue>(string name, TValue was, TValue now)
        {
            if (!EqualityComparer<TValue>.Default.Equals(was, now))
            {
                differences.Add($"{name} {was} (snapshot) vs {now} (this run)");
            }
        }

        Compare("K", saved.K, asked.K);
        Compare("Capacity", saved.Capacity, asked.Capacity);
        Compare("Metric", saved.Metric, asked.Metric);
        Compare("Policy", saved.Policy, asked.Policy);
        Compare("HoldBack", saved.HoldBack, asked.HoldBack);
        Compare("MaxSourceShare", saved.MaxSourceShare, asked.MaxSourceShare);
        Compare("Seed", saved.Seed, asked.Seed);
        if (embedder || string.IsNullOrWhiteSpace(store.Value.SeedReference))
        {
            Compare("dimension", restored.Model.Dimension, dimension);
        }

        if (differences.Count > 0)
        {
            throw Invalid($"the reference snapshot {store.Value.SnapshotPath} was made with other reference options: {string.Join("; ", differences)}. Start with the same options, or move the snapshot away to start from the seed");
        }

        var scorer = new StreamScorer(restored, scorerOptions) { ReplicatedAdmission = replication.Value.Replicate };
        Log.ReferenceRestored(_log, restored.Version, restored.Count, restored.LogPosition);
        return scorer;
    }

    private static OptionsValidationException Invalid(string failure) =>
        new(ReferenceStoreOptions.Section, typeof(ReferenceStoreOptions), [failure]);

    /// <summary>
    /// With a fitting half, each half of the seed calibrates on its own after the first swap (arrivals, and the judged
    /// window): a half smaller than the budget needs quarantines nothing by the budget rule there (lab, 34,000-pair seed
    /// split in two: the first sentinel's arrivals all sat at the smallest p-value, just above a 1e-4 budget). Said at
    /// start, once, rather than first at a swap.
    /// </summary>
    private void WarnIfHalvesCannotReachTheBudget(StreamScorer scorer, Sentinel.SeedPairs? halves)
    {
        if (halves is null || double.IsNaN(scorer.SmallestPValue))
        {
            return;
        }

        int calibrating = halves.CalibratingIds().Count, fitting = halves.FittingIds().Count, needed = scorer.CalibrationScoresNeeded;
        if (fitting > 0 && Math.Min(calibrating, fitting) < needed)
        {
            Log.SeedHalvesBelowBudget(_log, sentinel.Value.FitSeedShare, calibrating + fitting, calibrating, fitting, scorer.FalseQuarantineRate, needed);
        }
    }
}
