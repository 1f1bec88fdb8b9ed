namespace ClipGuard.Stream.Host.Tests.Worker;

/// <summary>One message as it arrived on an output topic.</summary>
internal sealed record RoutedCopy(string Topic, string Id, byte[] Value, Dictionary<string, string> Headers);
