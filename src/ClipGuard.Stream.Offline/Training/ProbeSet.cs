using ClipGuard.Stream.Embedding.Training;

namespace ClipGuard.Stream.Offline.Training;

/// <summary>
/// The training pairs whose image-to-own-caption cosine is measured after each epoch: a seeded sample of up to
/// <c>size</c> pairs (all when fewer), plus, with labels, every poison up to as many again, so a 1 % poison rate is
/// measured on all its pairs rather than a handful. The overall mean is over the sample; clean means the sample's
/// pairs labelled 0; pairs missing from the labels count in neither group.
/// </summary>
internal sealed class ProbeSet
{
    private readonly int _sampled;
    private readonly bool?[] _labels;

    public ProbeSet(IReadOnlyList<string> keys, IReadOnlyDictionary<string, bool>? labels, int size, int seed)
    {
        int n = keys.Count;
        int[] order = [.. Enumerable.Range(0, n)];
        new Random(seed).Shuffle(order);
        var sample = order.Take(Math.Min(size, n)).Order().ToList();
        var poisons = labels is null ? [] : Enumerable.Range(0, n).Where(i => labels.GetValueOrDefault(keys[i])).Except(sample).Take(size).ToList();
        _sampled = sample.Count;
        Rows = [.. sample, .. poisons];
        _labels = [.. Rows.Select(r => labels is not null && labels.TryGetValue(keys[r], out bool p) ? p : (bool?)null)];
        PoisonedPairs = labels is null ? null : Enumerable.Range(0, n).Count(i => labels.GetValueOrDefault(keys[i]));
    }

    public IReadOnlyList<int> Rows { get; }

    /// <summary>Labelled poisons among all the pairs (null without labels).</summary>
    public int? PoisonedPairs { get; }

    public EpochSummary Summarize(EpochResult r)
    {
        ArgumentNullException.ThrowIfNull(r);
        IReadOnlyList<double> c = r.ProbeCosines;
        double overall = _sampled > 0 ? c.Take(_sampled).Average() : double.NaN;
        double? poisoned = Mean(Enumerable.Range(0, c.Count).Where(i => _labels[i] == true).Select(i => c[i]));
        double? clean = Mean(Enumerable.Range(0, _sampled).Where(i => _labels[i] == false).Select(i => c[i]));
        return new EpochSummary(r.Epoch, r.MeanLoss, r.LogitScale, r.Seconds, r.Pairs / Math.Max(r.Seconds, 1e-9), overall, poisoned, clean);
    }

    private static double? Mean(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Count > 0 ? list.Average() : null;
    }
}
