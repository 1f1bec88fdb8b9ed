namespace ClipGuard.Stream.Host.Telemetry;

/// <summary>
/// Values of the <c>stage</c> tag of clipguard.stage.duration. Decode, embed and k-NN get their own stages when the
/// image embedder exists; the <c>score.*</c> values are parts of "score" (k-NN, admission, recalibration), not extra time.
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

    /// <summary>Part of <see cref="Score"/>: the reference's k-NN queries and density scores of the batch.</summary>
    public const string ScoreKnn = "score.knn";

    /// <summary>Part of <see cref="Score"/>: admission of the batch's cleared samples (hold-back offers, the inserts and evictions they cause).</summary>
    public const string ScoreAdmit = "score.admit";

    /// <summary>Part of <see cref="Score"/>: recalibration, in the batches that recalibrate.</summary>
    public const string ScoreCalibrate = "score.calibrate";

    /// <summary>Part of <see cref="Score"/>: the guard's k-NN queries against the frozen starting reference (admission candidates, held-out samples).</summary>
    public const string ScoreGuard = "score.guard";

    public static IReadOnlyList<string> All { get; } = [Parse, Score, ScoreKnn, ScoreGuard, ScoreAdmit, ScoreCalibrate, Ledger, Produce, Commit];
}
