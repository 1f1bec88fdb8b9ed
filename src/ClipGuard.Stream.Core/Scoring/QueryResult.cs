using ClipGuard.Stream.Core.Knn;

namespace ClipGuard.Stream.Core.Scoring;

/// <summary>A scored query: its scores and the k reference members they came from (slots, ascending distance).</summary>
public sealed record QueryResult(OutlierScores Scores, Neighbor[] Neighbors);
