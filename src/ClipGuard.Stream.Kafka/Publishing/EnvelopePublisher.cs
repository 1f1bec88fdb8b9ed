using System.Buffers;
using System.Diagnostics;
using System.Text;
using ClipGuard.Stream.Kafka.Clients;
using ClipGuard.Stream.Kafka.Envelope;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Kafka.Publishing;

/// <summary>Publishes envelopes to the input topic as a crawler would: key = id, value = contract JSON, through an
/// idempotent producer (acks=all), so retries never duplicate or reorder a partition. Envelopes over
/// <see cref="PublisherOptions.MaxMessageBytes"/> are not sent (the service would dead-letter them).</summary>
public sealed class EnvelopePublisher : IDisposable
{
    private static readonly TimeSpan QueueFullBackoff = TimeSpan.FromMilliseconds(50);

    private readonly PublisherOptions _options;
    private readonly ILogger _logger;
    private readonly IProducer<byte[], byte[]> _producer;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Action<DeliveryReport<byte[], byte[]>> _onDelivery;
    private long _delivered;
    private long _failed;
    private string? _firstError;
    private int _sinceFlush;

    public EnvelopePublisher(PublisherOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptionsResult validation = new PublisherOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(PublisherOptions), typeof(PublisherOptions), validation.Failures);
        }

        _options = options;
        _logger = logger ?? NullLogger.Instance;
        ProducerConfig config = KafkaClientFactory.Publisher(options.BootstrapServers, options.BatchFlush, options.MaxMessageBytes);
        _producer = new ProducerBuilder<byte[], byte[]>(config)
            .SetErrorHandler((_, e) => Log.ClientError(_logger, e.Code.ToString(), e.Reason))
            .Build();
        _onDelivery = OnDelivery;
    }

    public long Delivered => Interlocked.Read(ref _delivered);

    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Publishes every envelope, flushing every <see cref="PublisherOptions.BatchFlush"/> messages and at the end.</summary>
    public PublishReport PublishAll(IEnumerable<SampleEnvelope> envelopes, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(envelopes);
        var clock = Stopwatch.StartNew();
        long tooLarge = 0;
        foreach (SampleEnvelope envelope in envelopes)
        {
            cancel.ThrowIfCancellationRequested();
            if (!Enqueue(envelope))
            {
                tooLarge++;
            }
        }

        Flush();
        return Report(clock.Elapsed, tooLarge);
    }

    /// <summary>The counts so far, for a run that enqueued envelopes itself.</summary>
    public PublishReport Report(TimeSpan elapsed, long tooLarge) => new(Delivered, Failed, elapsed, Volatile.Read(ref _firstError), tooLarge);

    /// <summary>
    /// Asks the brokers for the topic's metadata through the producer's own connection, so an unreachable cluster is
    /// reported within <see cref="PublisherOptions.ConnectTimeout"/> rather than after a flush times out.
    /// </summary>
    /// <exception cref="BrokerUnavailableException">no broker answered in time.</exception>
    public void EnsureReachable()
    {
        using IAdminClient admin = new DependentAdminClientBuilder(_producer.Handle).Build();
        try
        {
            Metadata metadata = admin.GetMetadata(_options.Topic, _options.ConnectTimeout);
            if (metadata.Brokers.Count == 0)
            {
                throw new BrokerUnavailableException($"{_options.BootstrapServers}: the cluster reported no brokers");
            }
        }
        catch (KafkaException ex)
        {
            throw new BrokerUnavailableException(
                $"{_options.BootstrapServers}: no broker answered within {_options.ConnectTimeout.TotalSeconds:0} s ({ex.Error.Reason})", ex);
        }
    }

    /// <summary>
    /// Queues one envelope; delivery is reported asynchronously and counted. Returns false, sending nothing, when its
    /// JSON value exceeds <see cref="PublisherOptions.MaxMessageBytes"/>.
    /// </summary>
    public bool Enqueue(SampleEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        _buffer.ResetWrittenCount();
        EnvelopeWriter.Write(envelope, _buffer);
        if (_buffer.WrittenCount > _options.MaxMessageBytes)
        {
            return false;
        }

        var message = new Message<byte[], byte[]>
        {
            Key = Encoding.UTF8.GetBytes(envelope.Id),
            Value = _buffer.WrittenSpan.ToArray(),
        };
        while (true)
        {
            try
            {
                _producer.Produce(_options.Topic, message, _onDelivery);
                break;
            }
            catch (ProduceException<byte[], byte[]> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                // Back-pressure: serve delivery reports until the local queue has room again.
                _producer.Poll(QueueFullBackoff);
            }
        }

        if (++_sinceFlush >= _options.BatchFlush)
        {
            Flush();
        }

        return true;
    }

    /// <summary>Waits until every queued message is acknowledged or failed.</summary>
    /// <exception cref="BrokerUnavailableException">messages are still unacknowledged after <see cref="PublisherOptions.FlushTimeout"/>.</exception>
    public void Flush()
    {
        _sinceFlush = 0;
        int left = _producer.Flush(_options.FlushTimeout);
        if (left > 0)
        {
            throw new BrokerUnavailableException($"{left} message(s) still unacknowledged after {_options.FlushTimeout.TotalSeconds:0} s");
        }
    }

    public void Dispose() => _producer.Dispose();

    private void OnDelivery(DeliveryReport<byte[], byte[]> report)
    {
        if (report.Error.IsError)
        {
            Interlocked.Increment(ref _failed);
            Interlocked.CompareExchange(ref _firstError, report.Error.Reason, null);
            Log.DeliveryFailed(_logger, Encoding.UTF8.GetString(report.Message.Key), report.Topic, report.Error.Reason);
        }
        else
        {
            Interlocked.Increment(ref _delivered);
        }
    }
}
