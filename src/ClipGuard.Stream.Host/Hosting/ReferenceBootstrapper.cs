using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Host.Replication;
using ClipGuard.Stream.Host.Settings;
using ClipGuard.Stream.Host.Stages;
using ClipGuard.Stream.Host.Worker;
using ClipGuard.Stream.Index;
using ClipGuard.Stream.Index.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Hosting;

/// <summary>
/// The start-up work, done once before the stream worker consumes anything: restore the reference snapshot (re-embedding
/// it when the checkpoint changed) or load the seed, attach the configured k-NN backend, and compose the pipeline.
/// Registered before the stream worker, and done inside <see cref="StartAsync"/>, so the host does not start the worker
/// until it is done; a failure stops the start with the reason.
/// </summary>
internal sealed class ReferenceBootstrapper(
    ReferenceLoader loader,
    ImageEmbedding embedding,
    IOptions<ReferenceStoreOptions> store,
    IOptions<KnnIndexOptions> index,
    StreamPipelineFactory pipelines,
    StreamReady ready,
    TimeProvider time,
    ILoggerFactory loggers) : IHostedService
{
    private readonly ILogger _log = loggers.CreateLogger<ReferenceBootstrapper>();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        long start = time.GetTimestamp();
        Log.BlasKernel(_log, OpenBlasKernel.Description);
        Log.BootstrapStarting(_log, store.Value.SnapshotPath ?? "(none)", store.Value.SeedReference ?? "(none)", embedding.Pipeline?.ModelVersionLabel ?? "(precomputed embeddings)");
        ReferenceSnapshotStore? snapshots = loader.SnapshotStore();
        Reembedding.ReferenceImageStore? images = loader.ReferenceImages();
        StreamScorer scorer = WithQueryIndex(loader.Load(embedding.Pipeline, snapshots, images, cancellationToken));
        ReferenceSnapshotter? snapshotter = snapshots is null
            ? null
            : new ReferenceSnapshotter(snapshots, store.Value.SnapshotInterval, time, loggers.CreateLogger<ReferenceSnapshotter>());
        if (scorer.Guard is { } guard)
        {
            Log.GuardBuilt(_log, guard.Members, guard.StartingRows, guard.Cap);
        }

        ReturnStartupMemory();
        ready.Set(pipelines.Create(scorer, snapshotter, images));
        Log.BootstrapDone(_log, scorer.Reference.Count, scorer.Reference.Version, scorer.Bootstrapping, time.GetElapsedTime(start).TotalSeconds);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The start-up build (the seed's all-k-NN, once for the reference and once for the frozen guard) leaves large
    /// transient buffers that the GC keeps committed after they die: at 50,000 members about half again the live
    /// reference's size (`clipguard bench memory`). One aggressive collection, before the stream starts, hands them back.
    /// </summary>
    private void ReturnStartupMemory()
    {
        double before = Environment.WorkingSet / 1048576.0;
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        Log.StartupMemoryReturned(_log, before, Environment.WorkingSet / 1048576.0);
    }

    /// <summary>
    /// Attaches the configured ANN backend to the reference's query search (members' own neighbourhoods stay exact).
    /// The index lives as long as the scorer, which is the process's (the operating system reclaims native memory at exit).
    /// </summary>
    private StreamScorer WithQueryIndex(StreamScorer scorer)
    {
        KnnIndexOptions configured = index.Value;
        if (configured.Backend != KnnBackend.Exact)
        {
            var options = new KnnIndexOptions
            {
                Backend = configured.Backend,
                Dimension = scorer.Dimension,
                Metric = scorer.Reference.Options.Metric,
                Threads = configured.Threads,
                IvfLists = configured.IvfLists,
                IvfProbes = configured.IvfProbes,
                HnswM = configured.HnswM,
                HnswEfConstruction = configured.HnswEfConstruction,
                HnswEfSearch = configured.HnswEfSearch,
                HnswRebuildFraction = configured.HnswRebuildFraction,
            };
            scorer.Reference.Model.AttachQueryIndex(new IndexedQueryCandidates(KnnIndexFactory.Create(options, loggers.CreateLogger("ClipGuard.Stream.Index"))));
        }

        Log.QueryBackend(loggers.CreateLogger("ClipGuard.Stream.Host"), configured.Backend.ToString());
        return scorer;
    }
}
