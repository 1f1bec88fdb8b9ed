namespace ClipGuard.Stream.Offline;

/// <summary>Where a long run stands: <paramref name="Done"/> of <paramref name="Total"/> work units (bytes or rows), and samples finished.</summary>
public readonly record struct RunProgress(long Done, long Total, long Samples);
