using ClipGuard.Stream.Core.Pipeline;
using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>
/// Produces every decided message to exactly one output topic, with its verdict headers and the input's bytes untouched.
/// Delivery failures are collected; <see cref="AwaitAcknowledged"/> turns them into an exception.
/// </summary>
internal sealed class Router(IOutputProducer producer, KafkaStreamOptions options, IRouteTelemetry telemetry, TimeProvider? time = null)
{
    public static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(30);
    private readonly List<string> _failures = [];

    public string TopicFor(Route route) => route switch
    {
        Route.Clean => options.CleanTopic,
        Route.Quarantine => options.QuarantineTopic,
        _ => options.DeadLetterTopic,
    };

    public void Produce(IReadOnlyList<(PendingMessage Message, Verdict Verdict)> decided)
    {
        lock (_failures)
        {
            _failures.Clear();
        }

        foreach ((PendingMessage p, Verdict v) in decided)
        {
            ConsumeResult<byte[], byte[]> cr = p.Message;
            var message = new Message<byte[], byte[]>
            {
                Key = cr.Message.Key,
                Value = cr.Message.Value,
                Headers = VerdictHeaders.Build(v, cr.Message.Headers, cr.Topic, cr.Partition.Value, cr.Offset.Value),
            };
            if (v.Route == Route.Clean && options.ProvisionalWindow > TimeSpan.Zero)
            {
                VerdictHeaders.AddProvisional(message.Headers, (time ?? TimeProvider.System).GetUtcNow() + options.ProvisionalWindow);
            }

            string topic = TopicFor(v.Route);
            using IDisposable? span = telemetry.StartRoute(cr, v, topic, message.Headers);
            producer.Produce(topic, message, report =>
            {
                if (report.Error.IsError)
                {
                    lock (_failures)
                    {
                        _failures.Add($"{report.Error.Code}: {report.Error.Reason}");
                    }
                }
            });
        }
    }

    /// <summary>At-least-once: waits until every output is acknowledged downstream; throws when one was not.</summary>
    public void AwaitAcknowledged()
    {
        while (producer.Flush(FlushTimeout) > 0)
        {
        }

        lock (_failures)
        {
            if (_failures.Count > 0)
            {
                throw new KafkaException(new Error(ErrorCode.Local_Fail, $"{_failures.Count} outputs were not delivered: {_failures[0]}"));
            }
        }
    }
}
