namespace ClipGuard.Stream.Kafka.Publishing;

/// <summary>Outcome of a publish run: acknowledged and failed counts, wall time, the first failure if any, and how many
/// envelopes were not sent because they exceed <see cref="PublisherOptions.MaxMessageBytes"/>.</summary>
public sealed record PublishReport(long Delivered, long Failed, TimeSpan Elapsed, string? FirstError, long TooLarge = 0)
{
    public double MessagesPerSecond => Elapsed > TimeSpan.Zero ? Delivered / Elapsed.TotalSeconds : 0;
}
