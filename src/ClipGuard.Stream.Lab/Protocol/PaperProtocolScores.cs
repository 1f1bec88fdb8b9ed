using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Lab.Protocol;

/// <summary>Every sample's scores in dataset order: in the image space, and in the image+text space when captions were embedded.</summary>
public sealed record PaperProtocolScores(OutlierScores[] Image, OutlierScores[]? ImageText, int Batches);
