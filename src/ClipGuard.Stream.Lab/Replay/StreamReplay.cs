using ClipGuard.Stream.Core.Calibration;
using System.Diagnostics;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Offline.Cleaning;
using ClipGuard.Stream.Offline.Training;
using ClipGuard.Stream.Lab.Protocol;

namespace ClipGuard.Stream.Lab.Replay;

/// <summary>
/// Replays an embedded dataset (<c>clipguard embed</c>'s output) with its labels through <see cref="StreamScorer"/>,
/// the scorer the service runs, in a shuffled arrival order and micro-batches: a vetted clean seed, then every other
/// sample decided, admitted, held out for calibration, exactly as in the service (no broker: the decision only).
/// </summary>
public static class StreamReplay
{
    /// <exception cref="InvalidDataException">A key without a label, or no clean samples for the seed.</exception>
    public static ReplayResult Run(string embeddings, string labelsPath, ReplayOptions options, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        (Matrix<float> images, Matrix<float>? texts, string[] keys, bool[] poisoned) = Load(embeddings, labelsPath);
        return Run(RunName(embeddings), images, texts, keys, poisoned, options, progress);
    }

    /// <summary>A run's name in tables and plots: the embeddings folder with its parent (runs usually differ there: <c>C2/emb</c>).</summary>
    public static string RunName(string embeddings)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(embeddings));
        string? parent = Path.GetFileName(Path.GetDirectoryName(full));
        return string.IsNullOrEmpty(parent) ? Path.GetFileName(full) : $"{parent}/{Path.GetFileName(full)}";
    }

    /// <summary>
    /// The replay's arrival: the dataset shuffled by <see cref="ReplayOptions.Seed"/>, the first
    /// <see cref="ReplayOptions.SeedSize"/> clean rows taken out as the trusted seed, the rest (poisons left out with
    /// <see cref="ReplayOptions.CleanOnly"/>, or all but the first <see cref="ReplayOptions.Poisons"/>) in arrival order, the first <see cref="ReplayOptions.Limit"/> of them
    /// streamed; <c>Available</c> counts them all. The service replay streams the same order.
    /// </summary>
    /// <exception cref="InvalidDataException">Too few clean samples for the seed.</exception>
    public static (List<int> SeedRows, int[] Stream, int Available) Arrival(string name, bool[] poisoned, ReplayOptions options)
    {
        ArgumentNullException.ThrowIfNull(poisoned);
        ArgumentNullException.ThrowIfNull(options);
        int[] order = [.. Enumerable.Range(0, poisoned.Length)];
        new Random(options.Seed).Shuffle(order);
        var seedRows = order.Where(i => !poisoned[i]).Take(options.SeedSize).ToList();
        if (seedRows.Count < options.SeedSize)
        {
            throw new InvalidDataException($"{name}: only {seedRows.Count} clean samples for a seed of {options.SeedSize}");
        }

        var inSeed = seedRows.ToHashSet();
        int poisonsLeft = options.CleanOnly ? 0 : options.Poisons ?? int.MaxValue;
        var kept = new List<int>(order.Length - seedRows.Count);
        foreach (int i in order)
        {
            if (inSeed.Contains(i) || (poisoned[i] && poisonsLeft-- <= 0))
            {
                continue;
            }

            kept.Add(i);
        }

        int[] stream = [.. kept];
        return (seedRows, options.Limit > 0 && options.Limit < stream.Length ? stream[..options.Limit] : stream, stream.Length);
    }

    /// <summary>The given rows of <paramref name="m"/>, in that order (the seed's embeddings).</summary>
    public static Matrix<float> Rows(Matrix<float> m, IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(m);
        return m.SelectRows(rows);
    }

    /// <summary>The labelled dataset: image rows, caption rows (or null), keys, and each key's label.</summary>
    /// <exception cref="InvalidDataException">A key without a label.</exception>
    public static (Matrix<float> Images, Matrix<float>? Texts, string[] Keys, bool[] Poisoned) Load(string embeddings, string labelsPath)
    {
        (Matrix<float> images, Matrix<float>? texts, string[] keys) = ProtocolRun.Load(EmbeddingSet.Open(embeddings));
        IReadOnlyDictionary<string, bool> truth = LabelFile.Read(labelsPath);
        bool[] poisoned = [.. keys.Select(k => truth.TryGetValue(k, out bool p) ? p : throw new InvalidDataException($"{labelsPath}: no label for the embedded sample '{k}'"))];
        return (images, texts, keys, poisoned);
    }

    /// <summary>The replay of rows in memory: image rows, caption rows (or null), their keys and labels.</summary>
    /// <exception cref="InvalidDataException">Too few clean samples for the seed.</exception>
    public static ReplayResult Run(string name, Matrix<float> images, Matrix<float>? texts, string[] keys, bool[] poisoned, ReplayOptions options, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(poisoned);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int d = images.Cols;
        (List<int> seedRows, int[] stream, _) = Arrival(name, poisoned, options);
        var clock = Stopwatch.StartNew();
        var scorer = new StreamScorer(d, options.Scorer);
        Matrix<float> seed = Rows(images, seedRows);
        Matrix<float>? seedCaptions = options.Captions && texts is not null ? Rows(texts, seedRows) : null;
        scorer.Seed([.. seedRows.Select(i => keys[i])], seed, seedCaptions);
        var poisonIds = keys.Where((_, i) => poisoned[i]).ToHashSet();
        int tp = 0, fp = 0, inReference = 0, maxInReference = 0, maxInPool = 0, admitted = 0, campaignPoisons = 0, campaignClean = 0, revokedPoisons = 0, revokedClean = 0;
        var curve = new List<int>();
        var verdicts = new List<ReplayVerdict>();
        var verdictAt = new Dictionary<string, int>();
        for (int start = 0; start < stream.Length; start += options.BatchSize)
        {
            scorer.Reference.RecordsChanges = true;   // read below, per batch (a re-score may have swapped the set)
            var batch = new List<StreamSample>();
            foreach (int i in stream.AsSpan(start, Math.Min(options.BatchSize, stream.Length - start)))
            {
                batch.Add(new StreamSample(keys[i], "lab", images.RowReadOnly(i).ToArray())
                {
                    TextEmbedding = options.Captions && texts is not null ? texts.RowReadOnly(i).ToArray() : null,
                });
            }

            Dictionary<string, StreamSample> batchById = options.KeepVerdicts ? batch.ToDictionary(x => x.Id) : [];
            foreach (Verdict v in scorer.Decide(batch))
            {
                if (options.KeepVerdicts)
                {
                    verdictAt[v.SampleId] = verdicts.Count;
                    verdicts.Add(new ReplayVerdict(v.SampleId, poisonIds.Contains(v.SampleId), v.Route, v.PValue, v.Score, v.CampaignId, false, start / options.BatchSize)
                    {
                        // Per signal, against the calibration as it stands after the batch (which signal made the p-value).
                        DensityP = scorer.Calibration?.DensityP(v.Score) ?? double.NaN,
                        AgreementP = batchById[v.SampleId].TextEmbedding is { } text && scorer.Calibration is { } c
                            ? c.AgreementP(PairAgreement.Disagreement(batchById[v.SampleId].Embedding, text))
                            : double.NaN,
                    });
                }

                if (v.Route == Route.Quarantine)
                {
                    _ = poisonIds.Contains(v.SampleId) ? tp++ : fp++;
                    if (v.CampaignId is not null)
                    {
                        _ = poisonIds.Contains(v.SampleId) ? campaignPoisons++ : campaignClean++;
                    }
                }
            }

            foreach (Revocation r in scorer.DrainRevocations())
            {
                _ = poisonIds.Contains(r.SampleId) ? revokedPoisons++ : revokedClean++;
                if (verdictAt.TryGetValue(r.SampleId, out int at))
                {
                    verdicts[at] = verdicts[at] with { CampaignId = r.CampaignId, Revoked = true };
                }
            }

            foreach (ReferenceChange c in scorer.Reference.DrainChanges())
            {
                bool poison = poisonIds.Contains(c.SampleId);
                if (c.Kind == ReferenceChangeKind.Admitted)
                {
                    admitted++;
                    inReference += poison ? 1 : 0;
                }
                else
                {
                    inReference -= poison ? 1 : 0;
                }
            }

            maxInReference = Math.Max(maxInReference, inReference);
            curve.Add(inReference);
            if (scorer.CalibrationPool is { } pool)
            {
                maxInPool = Math.Max(maxInPool, poisonIds.Count(pool.Contains));
            }

            progress?.Report((double)(start + batch.Count) / stream.Length);
        }

        int poisons = stream.Count(i => poisoned[i]);
        return new ReplayResult
        {
            Name = name,
            Poisons = poisons,
            Clean = stream.Length - poisons,
            TruePositives = tp,
            FalsePositives = fp,
            MaxPoisonsInReference = maxInReference,
            PoisonsInReferenceAtEnd = inReference,
            MaxPoisonsInCalibration = maxInPool,
            ReferenceSizeAtEnd = scorer.Reference.Count,
            Admitted = admitted,
            BelowFloor = scorer.HeldBelowFloor,
            CalibrationHeldOut = scorer.CalibrationPool?.HeldOutCount ?? 0,
            PoisonsInReference = curve,
            Seconds = clock.Elapsed.TotalSeconds,
            Campaigns = scorer.Campaigns?.Campaigns.Count ?? 0,
            CampaignPoisons = campaignPoisons,
            CampaignClean = campaignClean,
            RevokedPoisons = revokedPoisons,
            RevokedClean = revokedClean,
            Verdicts = verdicts,
        };
    }
}
