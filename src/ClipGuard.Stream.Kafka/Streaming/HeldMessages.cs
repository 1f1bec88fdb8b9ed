using ClipGuard.Stream.Core.Pipeline;
using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>
/// Consumed messages waiting for their verdicts: one batch normally, many while the cold-start bootstrap buffers. Held
/// messages pin their partitions' offsets until they are routed; a revoked or lost partition drops its held messages.
/// </summary>
internal sealed class HeldMessages(TimeProvider time)
{
    private readonly List<PendingMessage> _held = [];

    public int Count => _held.Count;

    /// <summary>When the oldest message still held arrived (a <see cref="TimeProvider.GetTimestamp"/>).</summary>
    public long HeldSince { get; private set; }

    public void Add(IEnumerable<PendingMessage> fresh)
    {
        if (_held.Count == 0)
        {
            HeldSince = time.GetTimestamp();
        }

        _held.AddRange(fresh);
    }

    /// <summary>Pairs verdicts with the held messages they belong to (by id, first come first served) and releases those.</summary>
    public List<(PendingMessage Message, Verdict Verdict)> Match(IReadOnlyList<Verdict> verdicts)
    {
        var waiting = new Dictionary<string, Queue<PendingMessage>>();
        foreach (PendingMessage p in _held)
        {
            if (!waiting.TryGetValue(p.Sample.Id, out Queue<PendingMessage>? q))
            {
                q = new Queue<PendingMessage>();
                waiting[p.Sample.Id] = q;
            }

            q.Enqueue(p);
        }

        var decided = new List<(PendingMessage, Verdict)>(verdicts.Count);
        var routed = new HashSet<PendingMessage>(ReferenceEqualityComparer.Instance);
        foreach (Verdict v in verdicts)
        {
            // A verdict for a message whose partition was revoked meanwhile has nothing left to route.
            if (waiting.TryGetValue(v.SampleId, out Queue<PendingMessage>? q) && q.TryDequeue(out PendingMessage? p))
            {
                decided.Add((p, v));
                routed.Add(p);
            }
        }

        _held.RemoveAll(routed.Contains);
        return decided;
    }

    /// <summary>
    /// Per partition, the offset after the last routed message, but never past a message still held for the
    /// bootstrap: a restart must see every sample that was not yet routed.
    /// </summary>
    public Dictionary<TopicPartition, Offset> CommittableOffsets(IReadOnlyList<(PendingMessage Message, Verdict Verdict)> decided)
    {
        var next = new Dictionary<TopicPartition, long>();
        foreach ((PendingMessage p, _) in decided)
        {
            TopicPartition tp = p.Message.TopicPartition;
            long o = p.Message.Offset.Value + 1;
            next[tp] = next.TryGetValue(tp, out long cur) ? Math.Max(cur, o) : o;
        }

        foreach (PendingMessage h in _held)
        {
            if (next.TryGetValue(h.Message.TopicPartition, out long cur) && h.Message.Offset.Value < cur)
            {
                next[h.Message.TopicPartition] = h.Message.Offset.Value;
            }
        }

        return next.ToDictionary(kv => kv.Key, kv => new Offset(kv.Value));
    }

    /// <summary>Messages of partitions this consumer no longer owns are dropped: the next owner reads them again.</summary>
    public void Revoke(IReadOnlyCollection<TopicPartition> partitions)
    {
        var gone = new HashSet<TopicPartition>(partitions);
        _held.RemoveAll(p => gone.Contains(p.Message.TopicPartition));
    }
}
