using System.Numerics;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Core.Reference;

/// <summary>
/// Moves a saved reference set into a new embedding space (a changed checkpoint): same members, sources, arrival order
/// and hold-back, each with the vector the new model gives it. Members the new model cannot embed (no stored image, or
/// an image it rejects) are dropped and named, never kept with a vector from the old space: distances between two
/// models' spaces mean nothing. The version moves on by one, so verdicts before and after name different versions.
/// </summary>
public static class ReferenceReembedding
{
    /// <param name="state">The set as saved under the old model.</param>
    /// <param name="dimension">The new model's embedding dimension (it may differ from the old one).</param>
    /// <param name="rawVectors">New raw (not metric-space) vectors by sample id, each of <paramref name="dimension"/>.</param>
    /// <param name="modelVersion">The new model's label, recorded in the state.</param>
    public static ReembeddedState<T> Apply<T>(ReferenceSetState<T> state, int dimension, IReadOnlyDictionary<string, T[]> rawVectors, string? modelVersion = null)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(rawVectors);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        foreach ((string id, T[] v) in rawVectors)
        {
            if (v.Length != dimension)
            {
                throw new ScoringInputException($"re-embedded vector of '{id}' has {v.Length} dimensions, expected {dimension}");
            }
        }

        var dropped = new List<string>();
        var keptMembers = state.Members.Where(m => Keep(m.Id)).ToList();
        var points = new Matrix<T>(keptMembers.Count, dimension);
        var members = new List<ReferenceMemberState>(keptMembers.Count);
        for (int i = 0; i < keptMembers.Count; i++)
        {
            MetricSpace.Prepare(rawVectors[keptMembers[i].Id], points.Row(i), state.Options.Metric, i);
            members.Add(keptMembers[i] with { Point = i });
        }

        var holdBack = new List<PendingSampleState<T>>();
        foreach (PendingSampleState<T> p in state.HoldBack.Where(p => Keep(p.Id)))
        {
            var vector = new T[dimension];
            MetricSpace.Prepare(rawVectors[p.Id], vector, state.Options.Metric);
            holdBack.Add(p with { Vector = vector });
        }

        var next = new ReferenceSetState<T>(state.Options, state.Version + 1, state.EligibleSeen, points, members, holdBack)
        {
            LogPosition = state.LogPosition,
            ModelVersion = modelVersion,
        };
        return new ReembeddedState<T>(next, dropped);

        bool Keep(string id)
        {
            if (rawVectors.ContainsKey(id))
            {
                return true;
            }

            dropped.Add(id);
            return false;
        }
    }
}
