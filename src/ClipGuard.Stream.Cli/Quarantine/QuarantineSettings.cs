namespace ClipGuard.Stream.Cli.Quarantine;

/// <summary>Where the ledger and (for release) the broker are, from the command line.</summary>
/// <param name="Bootstrap">Kafka bootstrap servers; only a release needs them.</param>
internal sealed record QuarantineSettings(string Redis, string KeyPrefix, string? Bootstrap, string CleanTopic, bool Json);
