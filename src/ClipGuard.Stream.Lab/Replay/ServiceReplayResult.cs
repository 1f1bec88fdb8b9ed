namespace ClipGuard.Stream.Lab.Replay;

/// <summary>
/// One replay streamed through the service (<c>lab replay --through-service</c>): the routes read back from the
/// output topics, counted as <see cref="ReplayResult"/> counts them. What only the scorer sees (poisons in the
/// reference and calibration pool, revocations, admissions) is not in the service's outputs and is left at 0 in
/// <see cref="Routes"/>; the table marks it "—".
/// </summary>
public sealed record ServiceReplayResult
{
    /// <summary>Routes read back: name, poisons and clean streamed, quarantined poison / clean, campaign members.</summary>
    public required ReplayResult Routes { get; init; }

    /// <summary>Samples of the dataset outside the seed that the replay would stream; more than streamed when capped.</summary>
    public required int Available { get; init; }

    /// <summary>Samples published (the first of the replay's arrival order, up to the limit).</summary>
    public int Streamed => Routes.Poisons + Routes.Clean;

    /// <summary>Distinct samples read back from the output topics (every streamed one, once the replay finished).</summary>
    public required int Routed { get; init; }

    /// <summary>Samples routed to the dead-letter topic (0 unless a message was malformed).</summary>
    public required int DeadLettered { get; init; }

    /// <summary>Copies read back beyond one per sample (redeliveries; at-least-once allows them).</summary>
    public required int Duplicates { get; init; }

    /// <summary>Samples routed to two different topics (must be 0).</summary>
    public required int Conflicting { get; init; }

    /// <summary>Partitions of the input and output topics.</summary>
    public required int Partitions { get; init; }

    /// <summary>Seconds from the service's start until the last sample was routed (seed loading included).</summary>
    public double Seconds => Routes.Seconds;

    public double MessagesPerSecond => Seconds > 0 ? Streamed / Seconds : double.NaN;
}
