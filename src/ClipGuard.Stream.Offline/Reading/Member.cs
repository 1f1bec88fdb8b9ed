namespace ClipGuard.Stream.Offline.Reading;

/// <summary>One file of a sample: its extension (lower case, without the dot) and its bytes.</summary>
public sealed record Member(string Extension, byte[] Data);
