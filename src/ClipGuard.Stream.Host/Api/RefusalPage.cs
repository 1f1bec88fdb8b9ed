using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Api;

/// <summary>The latest refused API calls, newest first (<c>GET /api/refusals</c>).</summary>
public sealed record RefusalPage(IReadOnlyList<RefusedCall> Refusals);
