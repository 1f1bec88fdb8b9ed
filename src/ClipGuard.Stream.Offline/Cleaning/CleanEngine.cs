using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClipGuard.Stream.Offline.Cleaning;

/// <summary>
/// <c>clipguard clean</c>: every sample is scored as a query against one reference (a seeded random draw of the
/// dataset, or a given .npy); a sample that is itself in the reference is scored leave-one-out, its own row excluded
/// by identity. Per-shard scores are written atomically and skipped when present, so runs resume and
/// <c>--shard i/n</c> processes split the work; without <c>--shard</c> the merge follows at once. Each score gets
/// its fused p-value (<see cref="CleanCalibration"/>), which the default removal rule reads.
/// </summary>
public static class CleanEngine
{
    private const int QueryChunk = 4096;

    public static CleanReport Run(CleanSettings settings, IProgress<RunProgress>? progress = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        logger ??= NullLogger.Instance;
        var set = EmbeddingSet.Open(settings.Embeddings);
        if (set.Total > Array.MaxLength)
        {
            throw new OfflineInputException($"{settings.Embeddings} holds {set.Total} samples; one clean handles at most {Array.MaxLength}");
        }

        var layout = new CleanLayout(settings.Out);
        layout.CreateFolders();
        var pending = Enumerable.Range(0, set.Shards.Count)
            .Where(i => settings.Shard.Includes(i) && !File.Exists(layout.ShardScores(i))).ToArray();
        int alreadyDone = Enumerable.Range(0, set.Shards.Count).Count(i => settings.Shard.Includes(i)) - pending.Length;

        var (reference, description, trusted) = LoadReference(set, settings, logger);
        var sw = Stopwatch.StartNew();
        var (model, slotOfRow) = BatchScorer.Build(reference, settings.K, settings.Metric, settings.Threads);
        CleanCalibration calibration = trusted is null
            ? CleanCalibration.Build(model, slotOfRow, set, ReferenceSampler.Draw((int)set.Total, settings.ReferenceSize, settings.Seed), settings, $"pairs drawn with seed {settings.Seed}")
            : CleanCalibration.Build(model, slotOfRow, trusted, [.. Enumerable.Range(0, (int)trusted.Total)], settings, "trusted reference pairs");
        if (settings.ByBudget && calibration.SmallestP > settings.FalseRemovalRate)
        {
            throw new OfflineInputException(string.Create(CultureInfo.InvariantCulture,
                $"--false-removal-rate {settings.FalseRemovalRate} is below the smallest p-value this calibration can give ({calibration.SmallestP:G3}: {calibration.Description}); raise --reference-size or the rate"));
        }

        CleanMerger.CheckConfidentCut(settings, calibration.DensityCount, calibration.AgreementCount);

        CheckConfig(layout, new CleanConfig(OfflinePaths.Canonical(settings.Embeddings), $"{set.Manifest.ModelId}@{set.Manifest.ModelVersion}",
            settings.Detector.ToString().ToLowerInvariant(), settings.K, settings.Metric.ToString().ToLowerInvariant(), description, reference.Rows, calibration.Description,
            calibration.DensityCount, calibration.AgreementCount));

        long rows = 0;
        if (pending.Length > 0)
        {
            long total = pending.Sum(i => (long)set.Shards[i].Samples);
            foreach (int i in pending)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var shardWatch = Stopwatch.StartNew();
                var (scores, pValues, densityP, agreementP) = ScoreShard(set, i, model, calibration, settings, n => progress?.Report(new RunProgress(rows + n, total, rows + n)));
                // The scores file is written last: it marks the shard as done.
                AtomicFile.Write(layout.ShardPValues(i), tmp => Npy.WriteVector(tmp, pValues));
                AtomicFile.Write(layout.ShardDensityP(i), tmp => Npy.WriteVector(tmp, densityP));
                AtomicFile.Write(layout.ShardAgreementP(i), tmp => Npy.WriteVector(tmp, agreementP));
                AtomicFile.Write(layout.ShardScores(i), tmp => Npy.WriteVector(tmp, scores));
                rows += scores.Length;
                Log.ShardScored(logger, i, scores.Length, shardWatch.ElapsedMilliseconds);
            }
        }

        foreach (int i in Enumerable.Range(0, set.Shards.Count).Where(settings.Shard.Includes).Except(pending))
        {
            Log.ShardAlreadyScored(logger, i);
        }

        var scoring = sw.Elapsed;
        CleanSummary? summary = settings.Shard.IsAll ? CleanMerger.Merge(set, layout, settings) : null;
        return new CleanReport(pending.Length, alreadyDone, rows, reference.Rows, scoring, summary);
    }

    private static (double[] Scores, double[] PValues, double[] DensityP, double[] AgreementP) ScoreShard(
        EmbeddingSet set, int shard, DensityModel<float> model, CleanCalibration calibration, CleanSettings settings, Action<long> progress)
    {
        Matrix<float> x = set.ReadImages(shard);
        var scores = new double[x.Rows];
        var pValues = new double[x.Rows];
        var densityP = new double[x.Rows];
        var agreementP = new double[x.Rows];
        if (x.Rows == 0)
        {
            return (scores, pValues, densityP, agreementP);
        }

        double[] disagreements = CleanCalibration.Disagreements(set, shard, x);

        Matrix<float> prepared = MetricSpace.Prepare(x, settings.Metric);
        for (int start = 0; start < x.Rows; start += QueryChunk)
        {
            int n = Math.Min(QueryChunk, x.Rows - start);
            QueryResult[] part = model.ScoreQueries(prepared.Data.AsSpan(start * x.Cols, n * x.Cols));
            for (int j = 0; j < n; j++)
            {
                scores[start + j] = part[j].Scores.Get(settings.Detector);
                (densityP[start + j], agreementP[start + j], pValues[start + j]) = calibration.SignalPValues(scores[start + j], disagreements[start + j]);
            }

            progress(start + n);
        }

        return (scores, pValues, densityP, agreementP);
    }

    /// <summary>
    /// The reference: a trusted embeddings folder (all its rows; it also calibrates the agreement signal, returned as
    /// Trusted), a .npy of image embeddings, or a seeded random draw of the dataset.
    /// </summary>
    internal static (Matrix<float> Reference, string Description, EmbeddingSet? Trusted) LoadReference(EmbeddingSet set, CleanSettings settings, ILogger logger)
    {
        int d = set.Manifest.Dimension;
        if (settings.Reference is { } folder && Directory.Exists(folder))
        {
            var trusted = EmbeddingSet.Open(folder);
            string model = $"{set.Manifest.ModelId}@{set.Manifest.ModelVersion}", theirs = $"{trusted.Manifest.ModelId}@{trusted.Manifest.ModelVersion}";
            if (model != theirs || trusted.Manifest.Dimension != d || trusted.Manifest.Normalized != set.Manifest.Normalized)
            {
                throw new OfflineInputException($"--reference {folder} was embedded with {theirs} (d = {trusted.Manifest.Dimension}, normalized {trusted.Manifest.Normalized}), the dataset with {model} (d = {d}, normalized {set.Manifest.Normalized}): embed both with the same model and flags");
            }

            if (trusted.Total > Array.MaxLength / Math.Max(1, d) || trusted.Total <= settings.K)
            {
                throw new OfflineInputException($"--reference {folder} holds {trusted.Total} pairs: it needs more than --k {settings.K} and at most {Array.MaxLength / Math.Max(1, d)}");
            }

            var rows = new Matrix<float>((int)trusted.Total, d);
            for (int shard = 0; shard < trusted.Shards.Count; shard++)
            {
                trusted.ReadImages(shard).Data.CopyTo(rows.Data, (int)trusted.Offsets[shard] * d);
            }

            return (rows, $"trusted folder {OfflinePaths.Canonical(folder)} ({trusted.Total} pairs)", trusted);
        }

        if (settings.Reference is { } file)
        {
            if (!File.Exists(file))
            {
                throw new OfflineInputException($"--reference {file}: no such file or folder");
            }

            Matrix<float> r = Npy.ReadMatrixSingle(file);
            if (r.Cols != d)
            {
                throw new OfflineInputException($"--reference {file} has d = {r.Cols}, the embeddings d = {d}");
            }

            int bad = r.FirstNonFiniteRow();
            if (bad >= 0)
            {
                throw new OfflineInputException($"--reference {file}: row {bad} holds NaN or infinity");
            }

            using var stream = File.OpenRead(file);
            return (r, $"file {OfflinePaths.Canonical(file)} sha256:{Convert.ToHexStringLower(SHA256.HashData(stream))[..16]}", null);
        }

        int[] chosen = ReferenceSampler.Draw((int)set.Total, settings.ReferenceSize, settings.Seed);
        Log.ReferenceDrawn(logger, chosen.Length, settings.Seed, set.Total);
        var reference = new Matrix<float>(chosen.Length, d);
        foreach ((int shard, var rows) in set.ByShard(chosen))
        {
            Matrix<float> x = set.ReadImages(shard);
            foreach ((int row, int index) in rows)
            {
                x.RowReadOnly(row).CopyTo(reference.Row(index));
            }
        }

        return (reference, $"random {chosen.Length} of {set.Total}, seed {settings.Seed}", null);
    }

    private static void CheckConfig(CleanLayout layout, CleanConfig current)
    {
        var existing = OfflineJson.Read<CleanConfig>(layout.Config);
        if (existing is null)
        {
            OfflineJson.Write(layout.Config, current);
        }
        else if (existing != current)
        {
            throw new OfflineInputException(
                $"{layout.Root} holds scores of another run ({existing.Detector}, k = {existing.K}, {existing.Metric}, reference {existing.Reference}, model {existing.Model}); use a new --out");
        }
    }
}
