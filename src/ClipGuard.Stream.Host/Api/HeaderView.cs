namespace ClipGuard.Stream.Host.Api;

/// <summary>A header of the original message; the value base64, since headers may be binary.</summary>
public sealed record HeaderView(string Name, string? ValueBase64);
