namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>Timing of one service run: routed images over the time from the first to the last verdict.</summary>
public sealed record StreamRunReport(string Detector, int K, int Routed, double Seconds, double Threshold)
{
    public double ImagesPerSecond => Seconds > 0 ? Routed / Seconds : 0;
}
