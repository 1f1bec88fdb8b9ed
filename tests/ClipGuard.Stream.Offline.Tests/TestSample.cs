namespace ClipGuard.Stream.Offline.Tests;

/// <summary>One generated image-text pair and whether a backdoor was planted in it.</summary>
internal sealed record TestSample(string Key, byte[] Image, string ImageExtension, string Caption, string Url, bool Poisoned);
