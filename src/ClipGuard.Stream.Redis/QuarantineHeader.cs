namespace ClipGuard.Stream.Redis;

/// <summary>A header of the original message, kept so a release republishes it unchanged.</summary>
/// <param name="Value">Raw header bytes; null where the original header had no value.</param>
public sealed record QuarantineHeader(string Name, byte[]? Value);
