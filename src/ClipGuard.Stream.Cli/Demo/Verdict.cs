namespace ClipGuard.Stream.Cli.Demo;

/// <summary>Where the service routed a sample, with the score and threshold from the verdict headers (NaN on dead-letter).</summary>
internal sealed record Verdict(string Topic, double Score, double Threshold, string? Reason);
