namespace ClipGuard.Stream.Testing;

/// <summary>How a CLI run ended.</summary>
public sealed record CliResult(int ExitCode, string StandardOutput, string StandardError);
