namespace ClipGuard.Stream.Offline.Cleaning;

/// <summary>The outcome of one clean process: shards scored now or found scored, and the merged summary when merged.</summary>
public sealed record CleanReport(int ShardsScored, int ShardsAlreadyDone, long RowsScored, int ReferenceCount, TimeSpan ScoringTime, CleanSummary? Summary);
