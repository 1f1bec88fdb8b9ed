using System.Diagnostics;
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
/// <c>--shard i/n</c> processes split the work; without <c>--shard</c> the merge follows at once.
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

        var (reference, description) = LoadReference(set, settings, logger);
        CheckConfig(layout, new CleanConfig(OfflinePaths.Canonical(settings.Embeddings), $"{set.Manifest.ModelId}@{set.Manifest.ModelVersion}",
            settings.Detector.ToString().ToLowerInvariant(), settings.K, settings.Metric.ToString().ToLowerInvariant(), description, reference.Rows));

        var sw = Stopwatch.StartNew();
        long rows = 0;
        if (pending.Length > 0)
        {
            var (model, _) = BatchScorer.Build(reference, settings.K, settings.Metric, settings.Threads);
            long total = pending.Sum(i => (long)set.Shards[i].Samples);
            foreach (int i in pending)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var shardWatch = Stopwatch.StartNew();
                double[] scores = ScoreShard(set, i, model, settings, n => progress?.Report(new RunProgress(rows + n, total, rows + n)));
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

    private static double[] ScoreShard(EmbeddingSet set, int shard, DensityModel<float> model, CleanSettings settings, Action<long> progress)
    {
        Matrix<float> x = set.ReadImages(shard);
        var scores = new double[x.Rows];
        if (x.Rows == 0)
        {
            return scores;
        }

        Matrix<float> prepared = MetricSpace.Prepare(x, settings.Metric);
        for (int start = 0; start < x.Rows; start += QueryChunk)
        {
            int n = Math.Min(QueryChunk, x.Rows - start);
            QueryResult[] part = model.ScoreQueries(prepared.Data.AsSpan(start * x.Cols, n * x.Cols));
            for (int j = 0; j < n; j++)
            {
                scores[start + j] = part[j].Scores.Get(settings.Detector);
            }

            progress(start + n);
        }

        return scores;
    }

    internal static (Matrix<float> Reference, string Description) LoadReference(EmbeddingSet set, CleanSettings settings, ILogger logger)
    {
        int d = set.Manifest.Dimension;
        if (settings.Reference is { } file)
        {
            if (!File.Exists(file))
            {
                throw new OfflineInputException($"--reference {file}: no such file");
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
            return (r, $"file {OfflinePaths.Canonical(file)} sha256:{Convert.ToHexStringLower(SHA256.HashData(stream))[..16]}");
        }

        int[] chosen = ReferenceSampler.Draw((int)set.Total, settings.ReferenceSize, settings.Seed);
        Log.ReferenceDrawn(logger, chosen.Length, settings.Seed, set.Total);
        var reference = new Matrix<float>(chosen.Length, d);
        int next = 0;
        for (int shard = 0; shard < set.Shards.Count && next < chosen.Length; shard++)
        {
            long end = set.Offsets[shard + 1];
            if (chosen[next] >= end)
            {
                continue;
            }

            // Only shards that hold reference rows are read.
            Matrix<float> x = set.ReadImages(shard);
            for (; next < chosen.Length && chosen[next] < end; next++)
            {
                x.RowReadOnly((int)(chosen[next] - set.Offsets[shard])).CopyTo(reference.Row(next));
            }
        }

        return (reference, $"random {chosen.Length} of {set.Total}, seed {settings.Seed}");
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
