namespace ClipGuard.Stream.Lab.Scenes;

/// <summary>
/// A backdoor measured on fresh probes: the attack success rate, the same share without the trigger (the baseline),
/// and clean zero-shot accuracy (the prediction names one of the probe's items).
/// </summary>
public sealed record SceneAsrResult(int Probes, double Asr, double Baseline, double CleanAccuracy, string Target, string Trigger)
{
    /// <summary>Of the probes not classified as the target without the trigger, the share classified as it with the trigger.</summary>
    public double Flipped { get; init; }
}
