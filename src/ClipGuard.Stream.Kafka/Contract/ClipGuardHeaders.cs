namespace ClipGuard.Stream.Kafka.Contract;

/// <summary>Names of the Kafka headers ClipGuard writes on routed messages (see docs/message-contract.md).</summary>
public static class ClipGuardHeaders
{
    /// <summary>clean, quarantine or deadletter: the same value as the topic the message went to, so a
    /// consumer that merges topics still knows the decision.</summary>
    public const string Verdict = "clipguard-verdict";

    /// <summary>Outlier score, invariant culture, round-trip format; absent for dead-letter.</summary>
    public const string Score = "clipguard-score";

    public const string Detector = "clipguard-detector";

    public const string K = "clipguard-k";

    public const string ReferenceSize = "clipguard-reference-size";

    public const string ReferenceVersion = "clipguard-reference-version";

    public const string ModelVersion = "clipguard-model-version";

    public const string Threshold = "clipguard-threshold";

    /// <summary>Under the conformal rule: the fused p-value the route was decided by (absent otherwise).</summary>
    public const string PValue = "clipguard-p-value";

    /// <summary>Under the conformal rule: the calibration version that gave the p-value (absent otherwise).</summary>
    public const string CalibrationVersion = "clipguard-calibration-version";

    /// <summary>The campaign the sample was confirmed a member of (absent when none).</summary>
    public const string Campaign = "clipguard-campaign";

    /// <summary>Machine-readable reason code (for dead-letter, one of <see cref="ClipGuard.Stream.Kafka.Envelope.RejectionCodes"/>).</summary>
    public const string Reason = "clipguard-reason";

    public const string SourceTopic = "clipguard-source-topic";

    public const string SourcePartition = "clipguard-source-partition";

    public const string SourceOffset = "clipguard-source-offset";

    /// <summary>W3C Trace Context, copied from the input message or started by ClipGuard.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>On a released copy in the clean topic: the operator who released it.</summary>
    public const string ReleasedBy = "clipguard-released-by";

    public const string TraceState = "tracestate";

    /// <summary>On clean copies while verdicts are provisional (a sentinel is configured): "false" until the time in
    /// <see cref="FinalAt"/>; until then a recall (<see cref="TopicNames.Recalls"/>) may take the sample back.</summary>
    public const string Final = "clipguard-final";

    /// <summary>When a provisional clean verdict becomes final: UTC, ISO 8601 ("O" format).</summary>
    public const string FinalAt = "clipguard-final-at";
}
