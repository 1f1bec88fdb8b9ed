namespace ClipGuard.Stream.Host.Telemetry;

/// <summary>
/// Values of the <c>stage</c> tag of clipguard.stage.duration. Decode, embed and k-NN get their own stages when the
/// image embedder exists; today k-NN is inside "score" (the reference's query).
/// </summary>
public static class PipelineStages
{
    /// <summary>Envelope JSON parsing and validation of a batch.</summary>
    public const string Parse = "parse";

    /// <summary>k-NN search, density scores and the threshold decision of a batch.</summary>
    public const string Score = "score";

    /// <summary>Writing the batch's quarantine records to the ledger (retries while Redis is down included).</summary>
    public const string Ledger = "ledger";

    /// <summary>Producing every routed copy: until the broker acknowledged all of them (at-least-once), or until they
    /// were handed to the transactional producer (exactly-once, where acknowledgement is part of the commit).</summary>
    public const string Produce = "produce";

    /// <summary>Committing input offsets, or the transaction (outputs and offsets together).</summary>
    public const string Commit = "commit";

    public static IReadOnlyList<string> All { get; } = [Parse, Score, Ledger, Produce, Commit];
}
