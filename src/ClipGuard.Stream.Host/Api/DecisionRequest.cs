namespace ClipGuard.Stream.Host.Api;

/// <summary>Optional body of a release or reject call.</summary>
public sealed record DecisionRequest(string? Reason);
