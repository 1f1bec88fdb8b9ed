using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Embedding.Tokenization;
using ClipGuard.Stream.Embedding.Training;
using ClipGuard.Stream.Offline.Reading;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClipGuard.Stream.Offline.Training;

/// <summary>
/// <c>clipguard train</c>: decode an img2dataset folder into memory, train a small CLIP contrastively, checkpoint after
/// every epoch, and leave OUT/model/ (OpenCLIP config + open_clip_model.safetensors, loadable by <c>--model</c>) and
/// OUT/train.json. A rerun with the same OUT resumes after the last complete epoch; other options are refused.
/// </summary>
public static class TrainEngine
{
    public const string ModelId = "clipguard-vit";
    public const string WeightsFile = "open_clip_model.safetensors";
    public const string ModelDirectoryName = "model";

    public static TrainManifest Run(TrainSettings settings, TrainObserver? observer = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        observer ??= new TrainObserver();
        logger ??= NullLogger.Instance;
        IReadOnlyList<InputShard> shards = DatasetLayout.Discover(settings.Input);
        IReadOnlyDictionary<string, bool>? labels = settings.Labels is { } path ? LabelFile.Read(path) : null;
        Directory.CreateDirectory(settings.Out);
        var checkpoint = new TrainCheckpoint(settings.Out);
        TrainState? state = checkpoint.Read();
        CheckResumable(settings, state, checkpoint.StatePath);

        ClipTokenizer tokenizer = ClipTokenizer.LoadDefault();
        var spec = settings.Model;
        var loader = new TrainingSetLoader(spec.ImageSize, c => tokenizer.Tokenize(c, spec.ContextLength), spec.ContextLength, settings.DecodeWorkers, settings.MaxMemberBytes, logger);
        LoadedSet set = loader.Load(shards, observer.Decode, cancellationToken);
        int n = set.Pairs.Count;
        if (n < 2)
        {
            string skipped = set.Skipped.Count == 0 ? "nothing" : string.Join(", ", set.Skipped.Select(kv => $"{kv.Key} {kv.Value}"));
            throw new OfflineInputException($"{settings.Input}: {n} usable image-caption pairs in {set.Shards} shards, at least 2 are needed (skipped: {skipped})");
        }

        if (state is not null && state.Pairs != n)
        {
            throw new OfflineInputException($"{checkpoint.StatePath} was trained on {state.Pairs} pairs, {settings.Input} now yields {n}: the input changed; use a new --out");
        }

        observer.Info?.Invoke($"{n} pairs ({set.Pairs.DistinctCaptions} distinct captions) decoded from {set.Shards} shards in {set.Seconds:0.0} s");
        TrainCheckpoint.RemoveTemporaries(checkpoint.Folder);
        Directory.CreateDirectory(checkpoint.Folder);
        string configPath = Path.Combine(checkpoint.Folder, ModelId + ".json");
        AtomicFile.Write(configPath, tmp => File.WriteAllText(tmp, spec.ToOpenClipJson()));
        var embedderOptions = new EmbedderOptions { Threads = settings.Threads };
        var plan = new EpochPlan(settings.Epochs, settings.Batch, settings.Seed);
        var probe = new ProbeSet(set.Keys, labels, settings.ProbePairs, settings.Seed);
        var history = state?.History.ToList() ?? [];
        int firstEpoch = state?.CompletedEpochs ?? 0;
        using (var embedder = state is null
                   ? ClipEmbedder.CreateRandom(ClipModelConfig.Load(configPath), ModelId, settings.Seed, embedderOptions, logger)
                   : ClipEmbedder.Load(new ModelSource(checkpoint.Weights(firstEpoch), configPath), embedderOptions, logger))
        using (var trainer = new ContrastiveTrainer(
                   embedder,
                   new ContrastiveTrainingOptions { LearningRate = settings.LearningRate, WeightDecay = settings.WeightDecay },
                   plan.StepsPerEpoch(n) * settings.Epochs))
        {
            if (state is not null)
            {
                trainer.RestoreOptimizer(checkpoint.Optimizer(firstEpoch), state.StepsTaken);
                Log.TrainingResumed(logger, firstEpoch, checkpoint.Folder);
                observer.Info?.Invoke($"resuming after epoch {firstEpoch} of {settings.Epochs} from {checkpoint.Folder}");
            }

            long remaining = (long)plan.StepsPerEpoch(n) * Math.Min(settings.Batch, n) * (settings.Epochs - firstEpoch);
            var trained = new Progress(observer.Train, remaining);
            ContrastiveEpochs.Run(embedder, trainer, set.Pairs, plan, firstEpoch, probe.Rows, result =>
            {
                EpochSummary summary = probe.Summarize(result);
                history.Add(summary);
                if (settings.KeepEpochs)
                {
                    WriteModel(EpochModelDirectory(settings.Out, result.Epoch), embedder, spec);
                }

                checkpoint.Write(embedder, trainer, new TrainState(settings.Identity, result.Epoch, result.StepsTaken, n, history));
                Log.EpochCheckpointed(logger, summary.Epoch, summary.Loss, summary.OwnCaptionCosine, summary.PairsPerSecond);
                observer.Epoch?.Invoke(summary);
            }, trained, cancellationToken);
            WriteModel(Path.Combine(settings.Out, ModelDirectoryName), embedder, spec);
        }

        return WriteManifest(settings, set, probe, history, firstEpoch, logger);
    }

    private static void CheckResumable(TrainSettings settings, TrainState? state, string statePath)
    {
        if (state is null)
        {
            return;
        }

        TrainIdentity was = state.Identity, now = settings.Identity;
        string? difference =
            was.Input != now.Input ? $"--input {was.Input}"
            : was.Batch != now.Batch ? $"--batch {was.Batch}"
            : was.Model != now.Model ? $"the model {was.Model}"
            : was.LearningRate != now.LearningRate || was.WeightDecay != now.WeightDecay ? $"--lr {was.LearningRate} (weight decay {was.WeightDecay})"
            : was.Seed != now.Seed ? $"--seed {was.Seed}"
            : state.CompletedEpochs > settings.Epochs ? $"{state.CompletedEpochs} epochs done, more than --epochs {settings.Epochs}"
            : null;
        if (difference is not null)
        {
            throw new OfflineInputException($"{statePath}: this --out holds a run trained with {difference}; this run differs: use the same options to resume, or a new --out");
        }
    }

    /// <summary>Where <see cref="TrainSettings.KeepEpochs"/> keeps the model after one epoch.</summary>
    public static string EpochModelDirectory(string outDirectory, int epoch) =>
        Path.Combine(outDirectory, "epochs", string.Create(System.Globalization.CultureInfo.InvariantCulture, $"epoch-{epoch:D4}"));

    private static void WriteModel(string directory, ClipEmbedder embedder, SmallClipSpec spec)
    {
        string modelDirectory = Directory.CreateDirectory(directory).FullName;
        TrainCheckpoint.RemoveTemporaries(modelDirectory);
        AtomicFile.Write(Path.Combine(modelDirectory, ModelId + ".json"), tmp => File.WriteAllText(tmp, spec.ToOpenClipJson()));
        TrainCheckpoint.SaveWeights(embedder, Path.Combine(modelDirectory, WeightsFile));
    }

    private static TrainManifest WriteManifest(TrainSettings settings, LoadedSet set, ProbeSet probe, List<EpochSummary> history, int firstEpoch, ILogger logger)
    {
        string modelDirectory = Path.Combine(OfflinePaths.Canonical(settings.Out), ModelDirectoryName);
        string version;
        // Loaded back the way embed and run load it: the version is the saved file's, and a bad save fails here.
        using (var saved = ClipEmbedder.Load(ModelSource.FromDirectory(modelDirectory), new EmbedderOptions(), logger))
        {
            version = $"{saved.ModelId}@{saved.Version}";
        }

        double trainSeconds = history.Sum(h => h.Seconds);
        var manifest = new TrainManifest
        {
            Input = OfflinePaths.Canonical(settings.Input),
            Labels = settings.Labels is null ? null : OfflinePaths.Canonical(settings.Labels),
            Epochs = settings.Epochs,
            Batch = settings.Batch,
            Model = settings.Model,
            LearningRate = settings.LearningRate,
            WeightDecay = settings.WeightDecay,
            Seed = settings.Seed,
            Threads = settings.Threads,
            Shards = set.Shards,
            Pairs = set.Pairs.Count,
            DistinctCaptions = set.Pairs.DistinctCaptions,
            PoisonedPairs = probe.PoisonedPairs,
            Skipped = set.Skipped,
            DecodeSeconds = set.Seconds,
            ResumedAfterEpoch = firstEpoch,
            TrainSeconds = trainSeconds,
            PairsPerSecond = history.Sum(h => h.PairsPerSecond * h.Seconds) / Math.Max(trainSeconds, 1e-9),
            History = history,
            ModelDirectory = modelDirectory,
            ModelVersion = version,
        };
        OfflineJson.Write(Path.Combine(settings.Out, TrainManifest.FileName), manifest);
        return manifest;
    }

    /// <summary>Pairs trained so far, as run progress over this run's remaining epochs.</summary>
    private sealed class Progress(IProgress<RunProgress>? inner, long total) : IProgress<long>
    {
        public void Report(long value) => inner?.Report(new RunProgress(value, total, value));
    }
}
