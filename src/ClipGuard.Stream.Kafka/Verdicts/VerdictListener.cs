using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Verdicts;

/// <summary>
/// A <see cref="VerdictReader"/> on a background thread that keeps every copy it receives, duplicates included (they
/// are allowed at-least-once), so callers can follow progress while the service runs and look at the copies after.
/// A failure of the consumer surfaces on the next call.
/// </summary>
public sealed class VerdictListener : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(100);

    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private readonly List<RoutedCopy> _copies = [];
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private Exception? _failure;

    /// <inheritdoc cref="VerdictReader(string, string, IsolationLevel?, int?, IReadOnlyList{string}?)"/>
    public VerdictListener(string bootstrap, string groupPrefix, IsolationLevel? isolation = null, int? fetchWaitMaxMs = null, IReadOnlyList<string>? topics = null)
    {
        // The consumer is created here, so a bad configuration fails the caller rather than the thread.
        var reader = new VerdictReader(bootstrap, groupPrefix, isolation, fetchWaitMaxMs, topics);
        _thread = new Thread(() => Listen(reader)) { IsBackground = true, Name = $"verdicts-{groupPrefix}" };
        _thread.Start();
    }

    /// <summary>Copies received so far, duplicates included.</summary>
    public int Count
    {
        get
        {
            lock (_copies)
            {
                ThrowIfFailed();
                return _copies.Count;
            }
        }
    }

    /// <summary>Distinct sample ids received so far.</summary>
    public int DistinctIds
    {
        get
        {
            lock (_copies)
            {
                ThrowIfFailed();
                return _ids.Count;
            }
        }
    }

    /// <summary>Every copy received so far, in arrival order.</summary>
    public List<RoutedCopy> Snapshot()
    {
        lock (_copies)
        {
            ThrowIfFailed();
            return [.. _copies];
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
        _stop.Dispose();
    }

    private void Listen(VerdictReader reader)
    {
        using (reader)
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    if (reader.Read(Poll) is not { } copy)
                    {
                        continue;
                    }

                    lock (_copies)
                    {
                        _copies.Add(copy);
                        _ids.Add(copy.Id);
                    }
                }
            }
            catch (KafkaException e)
            {
                lock (_copies)
                {
                    _failure = e;
                }
            }
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw new InvalidOperationException("reading the output topics failed", _failure);
        }
    }
}
