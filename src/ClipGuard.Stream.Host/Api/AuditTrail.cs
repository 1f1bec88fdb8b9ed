namespace ClipGuard.Stream.Host.Api;

/// <summary>Every decision call made on one id, oldest first.</summary>
public sealed record AuditTrail(string Id, IReadOnlyList<AuditView> Entries);
