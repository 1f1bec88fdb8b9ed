using System.Threading.Channels;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Embedding.Tokenization;
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
    private readonly ClipEmbedder _embedder;
    private readonly ImageEmbeddingOptions _options;
    private readonly ImagePreprocessor _preprocessor;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Job> _pending;
    private readonly Channel<Prepared> _ready;
    private readonly Task[] _decoders;
    private readonly Task _embedLoop;
    private readonly Lock _model = new();
    private ClipTokenizer? _tokenizer;
    private long _batches;

    public ImageEmbeddingPipeline(ClipEmbedder embedder, ImageEmbeddingOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _embedder = embedder ?? throw new ArgumentNullException(nameof(embedder));
        _options = options ?? new ImageEmbeddingOptions();
        _options.Validate();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _preprocessor = new ImagePreprocessor(_options.Preprocess);
        _pending = Channel.CreateBounded<Job>(new BoundedChannelOptions(_options.QueueCapacity) { FullMode = BoundedChannelFullMode.Wait });
        _ready = Channel.CreateBounded<Prepared>(new BoundedChannelOptions(_options.QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        int workers = _options.DecodeWorkers > 0 ? _options.DecodeWorkers : Environment.ProcessorCount;
        _decoders = Enumerable.Range(0, workers).Select(_ => Task.Run(DecodeLoopAsync)).ToArray();
        _embedLoop = Task.Factory.StartNew(EmbedLoopAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap();
    }

    /// <summary>Micro-batches run so far (tests and metrics).</summary>
    public long BatchesRun => Interlocked.Read(ref _batches);

    public string ModelId => _embedder.ModelId;
    public string ModelVersion => _embedder.Version;

    /// <summary>True when the model can embed captions (its text tower reads CLIP's BPE vocabulary).</summary>
    public bool EmbedsCaptions => _embedder.EmbedsCaptions;

    public async Task<ImageEmbeddingResult> EmbedAsync(ReadOnlyMemory<byte> encoded, CancellationToken cancellationToken = default)
    {
        var job = new Job(encoded, new TaskCompletionSource<ImageEmbeddingResult>(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);
        await _pending.Writer.WriteAsync(job, cancellationToken).ConfigureAwait(false);
        using var registration = cancellationToken.Register(() => job.Completion.TrySetCanceled(cancellationToken));
        return await job.Completion.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Embeds captions with the model's text tower, taking turns with the image micro-batches (the model is not run
    /// from two threads at once). The tokenizer (CLIP's BPE) is loaded on first use.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model's text tower does not read CLIP's vocabulary (<see cref="EmbedsCaptions"/>).</exception>
    public float[][] EmbedCaptions(IReadOnlyList<string> captions)
    {
        ArgumentNullException.ThrowIfNull(captions);
        if (captions.Count == 0)
        {
            return [];
        }

        if (!EmbedsCaptions)
        {
            throw new InvalidOperationException($"the model {_embedder.ModelId} has a text tower of another vocabulary than CLIP's: it cannot embed captions");
        }

        lock (_model)
        {
            _tokenizer ??= ClipTokenizer.LoadDefault();
            return _embedder.EncodeTexts(captions, _tokenizer);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await Task.WhenAll(_decoders).ConfigureAwait(false);
        _ready.Writer.TryComplete();
        await _embedLoop.ConfigureAwait(false);
    }

    private async Task DecodeLoopAsync()
    {
        await foreach (var job in _pending.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            if (job.Cancellation.IsCancellationRequested)
            {
                job.Completion.TrySetCanceled(job.Cancellation);
                continue;
            }

            float[] pixels;
            try
            {
                pixels = _preprocessor.Preprocess(job.Encoded.Span, _embedder.ImageSize);
            }
            catch (ImageRejectedException e)
            {
                Log.ImageRejected(_logger, ImageEmbeddingResult.CodeOf(e.Reason), e.Message);
                job.Completion.TrySetResult(new ImageEmbeddingResult(null, e.Reason, e.Message, _embedder.ModelId, _embedder.Version));
                continue;
            }

            await _ready.Writer.WriteAsync(new Prepared(job, pixels)).ConfigureAwait(false);
        }
    }

    private async Task EmbedLoopAsync()
    {
        var reader = _ready.Reader;
        var batch = new List<Prepared>(_options.MaxBatch);
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            if (!reader.TryRead(out var first))
            {
                continue;
            }

            batch.Add(first);
            using (var window = new CancellationTokenSource(_options.MaxDelay, _time))
            {
                try
                {
                    while (batch.Count < _options.MaxBatch)
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
            float[][] embeddings;
            lock (_model)
            {
                embeddings = _embedder.EncodeImages(live.Select(p => p.Pixels).ToArray());
            }

            Interlocked.Increment(ref _batches);
            for (int i = 0; i < live.Count; i++)
            {
                live[i].Job.Completion.TrySetResult(new ImageEmbeddingResult(embeddings[i], null, null, _embedder.ModelId, _embedder.Version));
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.BatchFailed(_logger, live.Count, e);
            foreach (var p in live)
            {
                p.Job.Completion.TrySetException(e);
            }
        }
    }

    private sealed record Job(ReadOnlyMemory<byte> Encoded, TaskCompletionSource<ImageEmbeddingResult> Completion, CancellationToken Cancellation);

    private sealed record Prepared(Job Job, float[] Pixels);
}
