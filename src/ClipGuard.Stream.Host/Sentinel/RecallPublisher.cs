using System.Text;
using System.Text.Json;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Redis;
using Confluent.Kafka;

namespace ClipGuard.Stream.Host.Sentinel;

/// <summary>
/// The recall contract (docs/sentinel.md), shared by the model swap and campaign revocations: each recall is recorded
/// in the ledger first (a quarantine record with <see cref="QuarantineRecord.RecalledFrom"/> and the original message),
/// then published to the recall topic and acknowledged. Recalls that could not be delivered (a ledger or broker
/// failure) stay queued until a later <see cref="Deliver"/> succeeds: at-least-once, a reader may see one twice.
/// </summary>
internal sealed class RecallPublisher(IQuarantineLedger ledger, IOutputProducer producer, string topic)
{
    private readonly List<(QuarantineRecord Record, RecallMessage Message)> _undelivered = [];

    /// <summary>Recalls queued and not yet recorded and acknowledged.</summary>
    public int Undelivered => _undelivered.Count;

    public void Enqueue(QuarantineRecord record, RecallMessage message) => _undelivered.Add((record, message));

    /// <summary>Records and publishes the queued recalls; returns how many, or throws (keeping them) when the ledger or the broker fails.</summary>
    public int Deliver(CancellationToken cancel)
    {
        if (_undelivered.Count == 0)
        {
            return 0;
        }

        ledger.RecordAsync([.. _undelivered.Select(u => u.Record)], cancel).GetAwaiter().GetResult();
        var failures = new List<string>();
        foreach ((QuarantineRecord record, RecallMessage message) in _undelivered)
        {
            var headers = new Headers
            {
                { ClipGuardHeaders.Verdict, Encoding.UTF8.GetBytes(VerdictValues.Quarantine) },
                { ClipGuardHeaders.ModelVersion, Encoding.UTF8.GetBytes(message.Model) },
                { ClipGuardHeaders.SourceTopic, Encoding.UTF8.GetBytes(message.SourceTopic) },
            };
            if (message.Campaign is { } campaign)
            {
                headers.Add(ClipGuardHeaders.Campaign, Encoding.UTF8.GetBytes(campaign));
            }

            producer.Produce(topic, new Message<byte[], byte[]>
            {
                Key = record.Key!,
                Value = JsonSerializer.SerializeToUtf8Bytes(message, RecallJsonContext.Default.RecallMessage),
                Headers = headers,
            }, report =>
            {
                if (report.Error.IsError)
                {
                    lock (failures)
                    {
                        failures.Add($"{report.Error.Code}: {report.Error.Reason}");
                    }
                }
            });
        }

        while (producer.Flush(Router.FlushTimeout) > 0)
        {
            cancel.ThrowIfCancellationRequested();
        }

        lock (failures)
        {
            if (failures.Count > 0)
            {
                throw new KafkaException(new Error(ErrorCode.Local_Fail, $"{failures.Count} of {_undelivered.Count} recalls were not delivered to {topic}: {failures[0]}"));
            }
        }

        int delivered = _undelivered.Count;
        _undelivered.Clear();
        return delivered;
    }
}
