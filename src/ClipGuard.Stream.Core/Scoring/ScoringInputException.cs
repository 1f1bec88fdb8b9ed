namespace ClipGuard.Stream.Core.Scoring;

/// <summary>Input that cannot be scored; the message is one line meant for the user.</summary>
public sealed class ScoringInputException(string message) : Exception(message);
