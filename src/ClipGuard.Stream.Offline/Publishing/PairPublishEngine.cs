using System.Diagnostics;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Publishing;
using ClipGuard.Stream.Offline.Reading;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClipGuard.Stream.Offline.Publishing;

/// <summary>
/// <c>clipguard publish --input</c>: the crawler's bridge. Reads the pairs of an img2dataset output (the readers
/// <c>clipguard embed</c> uses) and publishes each as an image-only envelope, in shard and key order, through
/// <see cref="EnvelopePublisher"/>; the service then embeds the images itself. Broken pairs are counted per reason and
/// never sent; images are checked in parallel a chunk at a time, pairs are sent in input order.
/// </summary>
public sealed class PairPublishEngine
{
    private readonly EnvelopePublisher _publisher;
    private readonly PairChecks _checks;
    private readonly ParallelOptions _parallel;
    private readonly IProgress<RunProgress>? _progress;
    private readonly long _limit;
    private readonly long _totalBytes;
    private long _doneBytes;
    private long _queued;

    private PairPublishEngine(EnvelopePublisher publisher, PairPublishSettings settings, IProgress<RunProgress>? progress, long totalBytes, CancellationToken cancellationToken)
    {
        _publisher = publisher;
        _checks = new PairChecks(settings.CheckImages);
        _parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = settings.DecodeWorkers > 0 ? settings.DecodeWorkers : Environment.ProcessorCount,
            CancellationToken = cancellationToken,
        };
        _progress = progress;
        _limit = settings.Limit ?? long.MaxValue;
        _totalBytes = totalBytes;
    }

    /// <summary>Publishes every selected pair and waits for the acknowledgements.</summary>
    /// <exception cref="OfflineInputException">the input holds no shards, or a setting is out of range.</exception>
    /// <exception cref="BrokerUnavailableException">no broker answered, or acknowledgements stopped coming.</exception>
    public static async Task<PairPublishReport> RunAsync(
        PairPublishSettings settings, PublisherOptions options, IProgress<RunProgress>? progress = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(options);
        settings.Validate();
        logger ??= NullLogger.Instance;
        var wall = Stopwatch.StartNew();
        InputShard[] shards = [.. DatasetLayout.Discover(settings.Input).Where(s => settings.Shard.Includes(s.Index))];
        using var publisher = new EnvelopePublisher(options, logger);
        publisher.EnsureReachable();
        var engine = new PairPublishEngine(publisher, settings, progress, shards.Sum(s => s.Bytes), cancellationToken);
        var skips = new SkipCounts();
        progress?.Report(new RunProgress(0, engine._totalBytes, 0));
        foreach (var shard in shards)
        {
            if (engine._queued >= engine._limit)
            {
                break;
            }

            var shardClock = Stopwatch.StartNew();
            long before = engine._queued, skippedBefore = skips.Total;
            var parquet = await ParquetMetadata.ForShardAsync(shard, logger, cancellationToken).ConfigureAwait(false);
            var assembler = new SampleAssembler(shard.Name, skips, logger, parquet);
            engine.PublishShard(new ShardReader(shard, assembler, options.MaxMessageBytes), assembler, options.MaxMessageBytes);
            engine._doneBytes += shard.Bytes;
            Log.ShardPublished(logger, shard.Index, shard.Name, engine._queued - before, skips.Total - skippedBefore, shardClock.ElapsedMilliseconds);
        }

        publisher.Flush();
        progress?.Report(new RunProgress(engine._totalBytes, engine._totalBytes, engine._queued));
        PublishReport sent = publisher.Report(wall.Elapsed, 0);
        return new PairPublishReport(shards.Length, sent.Delivered, sent.Failed, skips.Snapshot(), wall.Elapsed, sent.FirstError);
    }

    private void PublishShard(ShardReader reader, SampleAssembler assembler, int maxMessageBytes)
    {
        using IEnumerator<DatasetSample> samples = reader.Read().GetEnumerator();
        var chunk = new List<DatasetSample>(PairPublishSettings.ChunkSize);
        var refusals = new (string Code, string Detail)?[PairPublishSettings.ChunkSize];
        while (_queued < _limit)
        {
            // Never read past the limit: a pair read is a pair either sent or counted as skipped.
            chunk.Clear();
            long want = Math.Min(PairPublishSettings.ChunkSize, _limit - _queued);
            while (chunk.Count < want && samples.MoveNext())
            {
                chunk.Add(samples.Current);
            }

            if (chunk.Count == 0)
            {
                return;
            }

            Parallel.For(0, chunk.Count, _parallel, i => refusals[i] = _checks.Refusal(chunk[i]));
            for (int i = 0; i < chunk.Count; i++)
            {
                DatasetSample sample = chunk[i];
                if (refusals[i] is { } refusal)
                {
                    assembler.Skip(sample.Key, refusal.Code, refusal.Detail);
                }
                else if (_publisher.Enqueue(PairChecks.Envelope(sample)))
                {
                    _queued++;
                }
                else
                {
                    assembler.Skip(sample.Key, RejectionCodes.MessageTooLarge,
                        $"the envelope of a {sample.Image.Length}-byte image (base64 in JSON: 4/3 of it) exceeds --max-message-bytes {maxMessageBytes}");
                }
            }

            _parallel.CancellationToken.ThrowIfCancellationRequested();
            _progress?.Report(new RunProgress(_doneBytes + reader.BytesRead, _totalBytes, _queued));
        }
    }
}
