namespace ClipGuard.Stream.Offline.Training;

/// <summary>
/// One epoch as train.json records it. <see cref="OwnCaptionCosine"/> is the mean cosine between a probe pair's image
/// and its own caption after the epoch; with labels the poisons' and clean pairs' means are given apart (a backdoor
/// that was learned shows as poisons aligning with their caption as well as or better than clean pairs).
/// </summary>
public sealed record EpochSummary(
    int Epoch,
    double Loss,
    double LogitScale,
    double Seconds,
    double PairsPerSecond,
    double OwnCaptionCosine,
    double? PoisonedCosine,
    double? CleanCosine);
