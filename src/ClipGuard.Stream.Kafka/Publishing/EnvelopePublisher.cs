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
/// idempotent producer (acks=all), so retries never duplicate or reorder a partition.</summary>
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
        ProducerConfig config = KafkaClientFactory.Publisher(options.BootstrapServers, options.BatchFlush);
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
        foreach (SampleEnvelope envelope in envelopes)
        {
            cancel.ThrowIfCancellationRequested();
            Enqueue(envelope);
        }

        Flush();
        return new PublishReport(Delivered, Failed, clock.Elapsed, Volatile.Read(ref _firstError));
    }

    /// <summary>Queues one envelope; delivery is reported asynchronously and counted.</summary>
    public void Enqueue(SampleEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        _buffer.ResetWrittenCount();
        EnvelopeWriter.Write(envelope, _buffer);
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
    }

    /// <summary>Waits until every queued message is acknowledged or failed.</summary>
    public void Flush()
    {
        _sinceFlush = 0;
        int left = _producer.Flush(_options.FlushTimeout);
        if (left > 0)
        {
            throw new TimeoutException($"{left} message(s) still unacknowledged after {_options.FlushTimeout.TotalSeconds:0} s");
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
