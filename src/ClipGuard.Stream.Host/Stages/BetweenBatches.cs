using System.Collections.Concurrent;

namespace ClipGuard.Stream.Host.Stages;

/// <summary>
/// Work run on the stream thread between two batches: the reference set is not shared between threads, so periodic
/// work (the full re-score) queues here instead of locking the hot path.
/// </summary>
internal sealed class BetweenBatches
{
    private readonly ConcurrentQueue<Action> _queue = new();

    public bool IsEmpty => _queue.IsEmpty;

    /// <summary>Queues <paramref name="work"/>; the task completes with its result once the stream thread ran it.</summary>
    public Task<T> Run<T>(Func<T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Enqueue(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        });
        return done.Task;
    }

    /// <summary>Runs what is queued; called by the stream thread only.</summary>
    public void RunQueued()
    {
        while (_queue.TryDequeue(out Action? work))
        {
            work();
        }
    }
}
