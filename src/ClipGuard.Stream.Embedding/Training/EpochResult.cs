namespace ClipGuard.Stream.Embedding.Training;

/// <summary>
/// One finished epoch: mean loss over its steps, the learned logit scale, the time it took, and each probe pair's
/// image-to-own-caption cosine measured after it (the "was it learned" signal).
/// </summary>
public sealed record EpochResult(int Epoch, int StepsTaken, double MeanLoss, double LogitScale, double Seconds, int Pairs, IReadOnlyList<double> ProbeCosines);
