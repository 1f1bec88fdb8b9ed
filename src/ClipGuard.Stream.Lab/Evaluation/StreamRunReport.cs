namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>Timing of one service run: routed images over the time from the first to the last verdict.</summary>
public sealed record StreamRunReport(string Detector, int K, int Routed, double Seconds, double Threshold)
{
    /// <summary>Times the service exited on its own mid-run and was restarted (its log says why).</summary>
    public int Restarts { get; init; }

    public double ImagesPerSecond => Seconds > 0 ? Routed / Seconds : 0;
}
