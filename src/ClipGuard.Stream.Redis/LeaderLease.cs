namespace ClipGuard.Stream.Redis;

/// <summary>
/// A held leader lock. <paramref name="FencingToken"/> grows with every grant of the lock, so work done under a lease
/// that expired meanwhile can be told apart from work done under the next one.
/// </summary>
public sealed record LeaderLease(string Name, string Holder, long FencingToken, DateTimeOffset ExpiresAt);
