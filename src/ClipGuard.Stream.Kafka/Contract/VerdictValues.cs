namespace ClipGuard.Stream.Kafka.Contract;

/// <summary>The values of the <see cref="ClipGuardHeaders.Verdict"/> header.</summary>
public static class VerdictValues
{
    public const string Clean = "clean";

    public const string Quarantine = "quarantine";

    public const string DeadLetter = "deadletter";
}
