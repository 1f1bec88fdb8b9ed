namespace ClipGuard.Stream.Host.Sentinel;

/// <summary>A sample routed clean whose verdict is still provisional: its window record and the segment that holds its pair.</summary>
internal sealed record ProvisionalSample(WindowRecord Record, string SegmentName);
