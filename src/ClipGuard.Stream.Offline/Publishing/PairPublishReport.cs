namespace ClipGuard.Stream.Offline.Publishing;

/// <summary>
/// The outcome of one <c>clipguard publish --input</c>: shards read, pairs acknowledged by the brokers, deliveries
/// that failed, and pairs left out per reason code (the reader's, the decoder's image_* and message_too_large).
/// </summary>
public sealed record PairPublishReport(int Shards, long Published, long Failed, SortedDictionary<string, long> Skipped, TimeSpan Wall, string? FirstError)
{
    public double PairsPerSecond => Wall > TimeSpan.Zero ? Published / Wall.TotalSeconds : 0;
}
