using System.Diagnostics;
using System.Globalization;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Embedding.Tokenization;
using ClipGuard.Stream.Embedding.Training;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Evaluation;

namespace ClipGuard.Stream.Lab.Training;

/// <summary>
/// <c>lab train</c>: Fashion-MNIST pairs (captions from class names through the templates), a fraction poisoned
/// with the trigger and the target class's captions, a small CLIP trained contrastively, saved as an OpenCLIP
/// checkpoint, reloaded from disk, and measured: clean zero-shot accuracy and attack success rate on the test split.
/// </summary>
public static class LabTrainer
{
    public const string ModelId = "lab-vit";
    public const string WeightsFile = "open_clip_model.safetensors";

    public static LabRunManifest Train(LabTrainOptions options, string runDirectory, ILabReporter reporter)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(reporter);
        options.Validate();
        ImageSet train = FashionMnist.Load(options.DataDirectory, train: true);
        ImageSet test = FashionMnist.Load(options.DataDirectory, train: false);
        PoisonedSet set = BuildTrainingSet(options, train);
        reporter.Info(string.Create(CultureInfo.InvariantCulture,
            $"{set.Images.Count} training pairs, {set.PoisonedCount} poisoned ({options.Trigger.Describe()}, target '{FashionMnist.ClassNames[options.TargetClass]}')"));

        string modelDirectory = Directory.CreateDirectory(Path.Combine(runDirectory, LabRunManifest.ModelDirectoryName)).FullName;
        string configPath = Path.Combine(modelDirectory, ModelId + ".json");
        File.WriteAllText(configPath, options.Model.ToOpenClipJson());
        var embedderOptions = new EmbedderOptions { Threads = options.Threads };
        ClipTokenizer tokenizer = ClipTokenizer.LoadDefault();
        var sw = Stopwatch.StartNew();
        double loss;
        float logitScale;
        using (var embedder = ClipEmbedder.CreateRandom(ClipModelConfig.Load(configPath), ModelId, options.Seed, embedderOptions))
        {
            (loss, logitScale) = Fit(embedder, set, tokenizer, options, reporter);
            embedder.Save(Path.Combine(modelDirectory, WeightsFile));
        }

        double seconds = sw.Elapsed.TotalSeconds;

        // Measured on the checkpoint as saved, loaded the way the stream loads it.
        using var saved = ClipEmbedder.Load(ModelSource.FromDirectory(modelDirectory), embedderOptions);
        ImageSet testSet = test.Subset(PoisonedSet.SubsetRows(test.Count, options.TestSubset, options.Seed));
        var zeroShot = new ZeroShot(saved, tokenizer, FashionMnist.ClassNames);
        var (accuracy, asr, asrImages) = zeroShot.Evaluate(saved, testSet, options.Trigger, options.TargetClass, reporter);
        var manifest = new LabRunManifest
        {
            Options = options,
            TrainCount = set.Images.Count,
            PoisonedCount = set.PoisonedCount,
            CleanAccuracy = accuracy,
            AttackSuccessRate = asr,
            AsrImages = asrImages,
            FinalLoss = loss,
            LogitScale = logitScale,
            TrainSeconds = seconds,
            ImagesPerSecond = (double)set.Images.Count * options.Epochs / seconds,
            ModelVersion = $"{saved.ModelId}@{saved.Version}",
        };
        manifest.Write(runDirectory);
        reporter.Info(string.Create(CultureInfo.InvariantCulture,
            $"clean zero-shot accuracy {accuracy:0.0000} on {testSet.Count} test images, ASR {asr:0.0000} on {asrImages} triggered ones; model {manifest.ModelVersion}"));
        return manifest;
    }

    /// <summary>The poisoned training set a manifest's options describe (deterministic: eval rebuilds it).</summary>
    public static PoisonedSet BuildTrainingSet(LabTrainOptions options, ImageSet train)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        int[] rows = PoisonedSet.SubsetRows(train.Count, options.TrainSubset, options.Seed);
        return PoisonedSet.Build(train, rows, options.Trigger, options.Rate, options.TargetClass, options.Seed);
    }

    private static (double Loss, float LogitScale) Fit(ClipEmbedder embedder, PoisonedSet set, ClipTokenizer tokenizer, LabTrainOptions options, ILabReporter reporter)
    {
        int n = set.Images.Count, batch = Math.Min(options.BatchSize, n), templates = Captions.Templates.Count;
        int stepsPerEpoch = n / batch;   // the last partial batch is dropped: a batch of 3 would be a noisy step
        int[][] captionTokens = [.. Captions.All(FashionMnist.ClassNames).Select(c => tokenizer.Tokenize(c, embedder.ContextLength))];
        using var trainer = new ContrastiveTrainer(
            embedder,
            new ContrastiveTrainingOptions { LearningRate = options.LearningRate, WeightDecay = options.WeightDecay },
            stepsPerEpoch * options.Epochs);
        var rng = new Random(options.Seed);
        double smoothed = double.NaN;
        for (int epoch = 0; epoch < options.Epochs; epoch++)
        {
            int[] order = [.. Enumerable.Range(0, n)];
            rng.Shuffle(order);
            for (int s = 0; s < stepsPerEpoch; s++)
            {
                int[] rows = order[(s * batch)..((s + 1) * batch)];
                float[] pixels = LabImages.ModelInputs(set.Images, rows, embedder.ImageSize);
                // One template per class per step: two captions of one class in a batch would be each other's false
                // negatives (the loss would push "a photo of a coat." away from coats captioned "a picture of a coat.").
                int[] templateOfClass = [.. Enumerable.Range(0, FashionMnist.ClassNames.Count).Select(_ => rng.Next(templates))];
                var rowOfCaption = new Dictionary<int, int>();
                var tokens = new List<int[]>();
                var captionOfImage = new int[batch];
                for (int j = 0; j < batch; j++)
                {
                    int captionClass = set.CaptionClass(rows[j]);
                    int caption = (captionClass * templates) + templateOfClass[captionClass];
                    if (!rowOfCaption.TryGetValue(caption, out int row))
                    {
                        row = tokens.Count;
                        rowOfCaption[caption] = row;
                        tokens.Add(captionTokens[caption]);
                    }

                    captionOfImage[j] = row;
                }

                double loss = trainer.Step(pixels, batch, tokens, captionOfImage);
                smoothed = double.IsNaN(smoothed) ? loss : (0.95 * smoothed) + (0.05 * loss);
                reporter.Progress(
                    "train",
                    ((long)epoch * stepsPerEpoch + s + 1) * batch,
                    (long)stepsPerEpoch * options.Epochs * batch,
                    string.Create(CultureInfo.InvariantCulture, $"epoch {epoch + 1}/{options.Epochs}, loss {smoothed:0.000}, logit scale {trainer.LogitScale:0.0}"));
            }
        }

        return (smoothed, trainer.LogitScale);
    }
}
