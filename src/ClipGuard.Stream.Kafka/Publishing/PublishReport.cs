namespace ClipGuard.Stream.Kafka.Publishing;

/// <summary>Outcome of a publish run: acknowledged and failed counts, wall time, and the first failure if any.</summary>
public sealed record PublishReport(long Delivered, long Failed, TimeSpan Elapsed, string? FirstError)
{
    public double MessagesPerSecond => Elapsed > TimeSpan.Zero ? Delivered / Elapsed.TotalSeconds : 0;
}
