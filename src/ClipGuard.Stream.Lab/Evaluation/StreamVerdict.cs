namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>What the stream decided for one published image: the topic it was routed to and its score header.</summary>
public sealed record StreamVerdict(string Topic, double Score);
