using System.Threading.Channels;
using ClipGuard.Stream.Embedding.Preprocessing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClipGuard.Stream.Embedding.Pipeline;

/// <summary>
/// Encoded images in, embeddings out: a bounded pool decodes and preprocesses in parallel, one loop embeds in
/// micro-batches flushed on size or delay. Rejected images complete at once with their reason; a failure of the
/// model itself faults every caller of that batch, so an outage never looks like "no embedding".
/// </summary>
public sealed class ImageEmbeddingPipeline : IAsyncDisposable
{
    private readonly ClipEmbedder embedder;
    private readonly ImageEmbeddingOptions options;
    private readonly ImagePreprocessor preprocessor;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Channel<Job> pending;
    private readonly Channel<Prepared> ready;
    private readonly Task[] decoders;
    private readonly Task embedLoop;
    private long batches;

    public ImageEmbeddingPipeline(ClipEmbedder embedder, ImageEmbeddingOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        this.embedder = embedder ?? throw new ArgumentNullException(nameof(embedder));
        this.options = options ?? new ImageEmbeddingOptions();
        this.options.Validate();
        this.time = time ?? TimeProvider.System;
        this.logger = logger ?? NullLogger.Instance;
        preprocessor = new ImagePreprocessor(this.options.Preprocess);
        pending = Channel.CreateBounded<Job>(new BoundedChannelOptions(this.options.QueueCapacity) { FullMode = BoundedChannelFullMode.Wait });
        ready = Channel.CreateBounded<Prepared>(new BoundedChannelOptions(this.options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        int workers = this.options.DecodeWorkers > 0 ? this.options.DecodeWorkers : Environment.ProcessorCount;
        decoders = Enumerable.Range(0, workers).Select(_ => Task.Run(DecodeLoopAsync)).ToArray();
        embedLoop = Task.Factory.StartNew(EmbedLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Micro-batches run so far (tests and metrics).</summary>
    public long BatchesRun => Interlocked.Read(ref batches);

    public string ModelId => embedder.ModelId;
    public string ModelVersion => embedder.Version;

    public async Task<ImageEmbeddingResult> EmbedAsync(ReadOnlyMemory<byte> encoded, CancellationToken cancellationToken = default)
    {
        var job = new Job(encoded, new TaskCompletionSource<ImageEmbeddingResult>(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);
        await pending.Writer.WriteAsync(job, cancellationToken).ConfigureAwait(false);
        using var registration = cancellationToken.Register(() => job.Completion.TrySetCanceled(cancellationToken));
        return await job.Completion.Task.ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        pending.Writer.TryComplete();
        await Task.WhenAll(decoders).ConfigureAwait(false);
        ready.Writer.TryComplete();
        await embedLoop.ConfigureAwait(false);
    }

    private async Task DecodeLoopAsync()
    {
        await foreach (var job in pending.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (job.Cancellation.IsCancellationRequested)
            {
                job.Completion.TrySetCanceled(job.Cancellation);
                continue;
            }

            float[] pixels;
            try
            {
                pixels = preprocessor.Preprocess(job.Encoded.Span, embedder.ImageSize);
            }
            catch (ImageRejectedException e)
            {
                Log.ImageRejected(logger, ImageEmbeddingResult.CodeOf(e.Reason), e.Message);
                job.Completion.TrySetResult(new ImageEmbeddingResult(null, e.Reason, e.Message, embedder.ModelId, embedder.Version));
                continue;
            }

            await ready.Writer.WriteAsync(new Prepared(job, pixels)).ConfigureAwait(false);
        }
    }

    private async Task EmbedLoopAsync()
    {
        var reader = ready.Reader;
        var batch = new List<Prepared>(options.MaxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            if (!reader.TryRead(out var first))
            {
                continue;
            }

            batch.Add(first);
            using (var window = new CancellationTokenSource(options.MaxDelay, time))
            {
                try
                {
                    while (batch.Count < options.MaxBatch)
                    {
                        if (reader.TryRead(out var next))
                        {
                            batch.Add(next);
                        }
                        else if (!await reader.WaitToReadAsync(window.Token).ConfigureAwait(false))
                        {
                            break;
                        }
                    }
                }
                catch (OperationCanceledException) when (window.IsCancellationRequested)
                {
                    // The delay ran out: embed what we have.
                }
            }

            Run(batch);
            batch.Clear();
        }
    }

    private void Run(List<Prepared> batch)
    {
        var live = batch.Where(p => !p.Job.Completion.Task.IsCompleted).ToList();
        if (live.Count == 0)
        {
            return;
        }

        try
        {
            var embeddings = embedder.EncodeImages(live.Select(p => p.Pixels).ToArray());
            Interlocked.Increment(ref batches);
            for (int i = 0; i < live.Count; i++)
            {
                live[i].Job.Completion.TrySetResult(new ImageEmbeddingResult(embeddings[i], null, null, embedder.ModelId, embedder.Version));
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.BatchFailed(logger, live.Count, e);
            foreach (var p in live)
            {
                p.Job.Completion.TrySetException(e);
            }
        }
    }

    private sealed record Job(ReadOnlyMemory<byte> Encoded, TaskCompletionSource<ImageEmbeddingResult> Completion, CancellationToken Cancellation);

    private sealed record Prepared(Job Job, float[] Pixels);
}
