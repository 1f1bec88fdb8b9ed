namespace ClipGuard.Stream.Host.Telemetry;

/// <summary>The few metric tag keys ClipGuard uses; each has a small, bounded set of values.</summary>
public static class TagNames
{
    /// <summary>clean | quarantine | deadletter (the clipguard-verdict header values).</summary>
    public const string Route = "route";

    /// <summary>The crawl source, capped at TelemetryOptions.MaxSources distinct values, then "other".</summary>
    public const string Source = "source";

    /// <summary>A dead-letter reason code (RejectionCodes), else "other".</summary>
    public const string Reason = "reason";

    /// <summary>kdist | lof | slof | dao.</summary>
    public const string Detector = "detector";

    /// <summary>One of <see cref="PipelineStages"/>.</summary>
    public const string Stage = "stage";

    /// <summary>A <see cref="Core.Scoring.DriftQuantity"/> in snake case.</summary>
    public const string Quantity = "quantity";
}
