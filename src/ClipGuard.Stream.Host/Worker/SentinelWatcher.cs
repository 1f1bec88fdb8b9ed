using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Host.Hosting;
using ClipGuard.Stream.Host.Settings;
using ClipGuard.Stream.Host.Stages;
using ClipGuard.Stream.Host.Telemetry;
using ClipGuard.Stream.Offline;
using ClipGuard.Stream.Offline.Sentinel;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Worker;

/// <summary>
/// Watches the sentinel directory's <c>models/</c> (docs/sentinel.md): a complete checkpoint newer than the one in use
/// is verified against its manifest's hash, loaded beside the running model, and handed to the stream thread, which
/// swaps it in between two batches. A checkpoint that cannot be loaded or swapped is refused once, with the reason,
/// and the stream stays on its model. Recalls a swap could not deliver are retried at each poll.
/// </summary>
internal sealed class SentinelWatcher(
    StreamReady ready,
    ImageEmbedding embedding,
    IOptions<SentinelOptions> options,
    IOptions<EmbeddingStageOptions> embeddingOptions,
    ClipGuardInstrumentation telemetry,
    TimeProvider time,
    ILoggerFactory loggers) : BackgroundService
{
    private readonly ILogger _log = loggers.CreateLogger("ClipGuard.Stream.Host");
    private readonly HashSet<int> _refused = [];
    private int _current;

    /// <summary>The sentinel version the stream embeds with (0: the configured model).</summary>
    public int Current => Volatile.Read(ref _current);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        SentinelOptions o = options.Value;
        if (!o.Enabled || embedding.Pipeline is null)
        {
            return;
        }

        var layout = new SentinelLayout(o.Directory!);
        if (layout.ReadyModels().LastOrDefault(m => m.Manifest.ModelVersion == embedding.Pipeline?.ModelVersionLabel) is { } atStart)
        {
            _current = atStart.Version;
            telemetry.ReportSentinel(atStart.Version, atStart.Manifest.TrainedAt);
        }

        StreamPipeline pipeline = await ready.Pipeline.WaitAsync(stoppingToken).ConfigureAwait(false);
        if (_current > 0 && pipeline.JudgedVersion < _current && pipeline.Rejudge(_current, stoppingToken) is { } rejudge)
        {
            // The last run swapped this checkpoint in but died before its recalls were acknowledged.
            (int judged, int recalled) = await rejudge.WaitAsync(stoppingToken).ConfigureAwait(false);
            Log.WindowRejudged(_log, _current, judged, recalled);
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(o.Poll, time, stoppingToken).ConfigureAwait(false);
            await RetryRecallsAsync(pipeline, stoppingToken).ConfigureAwait(false);
            if (layout.Newest() is { } newest && newest.Version > _current && !_refused.Contains(newest.Version))
            {
                if (!await SwapAsync(pipeline, newest, stoppingToken).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
    }

    /// <summary>What the newest swap did (null before the first); set before <see cref="Current"/> moves to its version.</summary>
    internal ModelSwapOutcome? LastOutcome { get; private set; }

    /// <summary>One swap; false when this pipeline cannot swap at all (said once at composition).</summary>
    internal async Task<bool> SwapAsync(StreamPipeline pipeline, SentinelModel model, CancellationToken cancel)
    {
        StreamImageEmbedder? next = null;
        try
        {
            model.Verify();
            next = ImageEmbeddingFactory.Load(ModelSource.FromDirectory(model.Directory), embeddingOptions.Value, time, loggers);
            Task<ModelSwapOutcome>? swap = pipeline.SwapModel(next, model.Version, cancel);
            if (swap is null)
            {
                await next.DisposeAsync().ConfigureAwait(false);
                return false;
            }

            ModelSwapOutcome outcome = await swap.WaitAsync(cancel).ConfigureAwait(false);
            LastOutcome = outcome;
            Volatile.Write(ref _current, model.Version);
            telemetry.ReportSentinel(model.Version, model.Manifest.TrainedAt);
            Log.SentinelSwappedIn(_log, model.Version, outcome.Recalled, outcome.Judged, outcome.Held.TotalSeconds);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _refused.Add(model.Version);
            Log.ModelSwapFailed(_log, model.Version, embedding.Pipeline?.ModelVersionLabel ?? "(none)", $"{e.GetType().Name}: {e.Message}");
            if (next is not null && !ReferenceEquals(embedding.Pipeline, next))
            {
                await next.DisposeAsync().ConfigureAwait(false);
            }
        }

        return true;
    }

    private async Task RetryRecallsAsync(StreamPipeline pipeline, CancellationToken cancel)
    {
        try
        {
            if (pipeline.RetryRecalls(cancel) is { } retry)
            {
                await retry.WaitAsync(cancel).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Log.RecallsUndelivered(_log, -1, $"{e.GetType().Name}: {e.Message}");
        }
    }
}
