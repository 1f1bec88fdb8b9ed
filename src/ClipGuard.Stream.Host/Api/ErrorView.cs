namespace ClipGuard.Stream.Host.Api;

/// <summary>The body of every 4xx/5xx the API writes itself.</summary>
public sealed record ErrorView(string Error);
