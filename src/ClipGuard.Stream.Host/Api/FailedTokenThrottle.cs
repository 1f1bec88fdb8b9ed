using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Api;

/// <summary>
/// Slows token guessing: a client address that presented <see cref="OperatorApiOptions.MaxFailedTokens"/> wrong bearer
/// tokens within <see cref="OperatorApiOptions.FailedTokenWindow"/> is refused (429) until the oldest of them leaves the
/// window, whatever token it presents meanwhile, so a right guess during the lock-out is not confirmed.
/// </summary>
internal sealed class FailedTokenThrottle(IOptions<OperatorApiOptions> options, TimeProvider time)
{
    /// <summary>Addresses kept at most (a flood of addresses cannot exhaust memory): past it, addresses whose wrong tokens
    /// have all left the window are forgotten, and if that is not enough, a tenth of the rest.</summary>
    public const int MaxAddresses = 10_000;

    private readonly OperatorApiOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    /// <summary>Client addresses with wrong tokens on record.</summary>
    public int TrackedAddresses => _failures.Count;

    /// <summary>True while <paramref name="address"/> is locked out; <paramref name="retryAfter"/> is when it may try again.</summary>
    public bool IsLocked(string address, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!_failures.TryGetValue(address, out Queue<DateTimeOffset>? failures))
        {
            return false;
        }

        lock (failures)
        {
            DateTimeOffset now = time.GetUtcNow();
            Expire(failures, now);
            if (failures.Count < _options.MaxFailedTokens)
            {
                return false;
            }

            retryAfter = failures.Peek() + _options.FailedTokenWindow - now;
            return true;
        }
    }

    /// <summary>Counts a wrong token; true when this one started a lock-out.</summary>
    public bool RecordFailure(string address)
    {
        if (_failures.Count >= MaxAddresses && !_failures.ContainsKey(address))
        {
            Prune();
        }

        Queue<DateTimeOffset> failures = _failures.GetOrAdd(address, _ => new Queue<DateTimeOffset>());
        lock (failures)
        {
            DateTimeOffset now = time.GetUtcNow();
            Expire(failures, now);
            failures.Enqueue(now);
            return failures.Count == _options.MaxFailedTokens;
        }
    }

    private void Prune()
    {
        DateTimeOffset now = time.GetUtcNow();
        foreach ((string key, Queue<DateTimeOffset> failures) in _failures)
        {
            lock (failures)
            {
                Expire(failures, now);
                if (failures.Count == 0)
                {
                    _failures.TryRemove(key, out _);
                }
            }
        }

        foreach (string key in _failures.Keys.Take(_failures.Count >= MaxAddresses ? MaxAddresses / 10 : 0))
        {
            _failures.TryRemove(key, out _);
        }
    }

    private void Expire(Queue<DateTimeOffset> failures, DateTimeOffset now)
    {
        while (failures.Count > 0 && now - failures.Peek() >= _options.FailedTokenWindow)
        {
            failures.Dequeue();
        }
    }
}
