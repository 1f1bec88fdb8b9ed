namespace ClipGuard.Stream.Kafka.Contract;

/// <summary>Default topic names of the message contract; every one can be overridden by configuration.</summary>
public static class TopicNames
{
    public const string Pairs = "clipguard.pairs";

    public const string Clean = "clipguard.clean";

    public const string Quarantine = "clipguard.quarantine";

    public const string DeadLetter = "clipguard.deadletter";

    /// <summary>Samples routed clean that a later model judged poisoned (docs/sentinel.md): key = the original key, value = the recall's JSON.</summary>
    public const string Recalls = "clipguard.recalls";

    /// <summary>Reserved for the reference set; the dev broker creates it so that later stages find it.</summary>
    public const string Reference = "clipguard.reference";
}
