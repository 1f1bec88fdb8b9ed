using System.Diagnostics;
using System.Globalization;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Lab.Data;
using ClipGuard.Stream.Lab.Training;

namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>
/// <c>lab eval</c>: rebuilds the run's poisoned training set from its manifest, embeds it with the saved checkpoint,
/// scores it in batch (leave-one-out over random references) and, optionally, through the stream; writes
/// <c>detection.json</c>, <c>detection.md</c> and the ROC curves (<c>roc.png</c>) into the run directory.
/// </summary>
public static class LabEvaluator
{
    public static LabEvalResult Evaluate(
        string runDirectory, LabEvalOptions options, Func<IReadOnlyList<string>, ProcessStartInfo> cli, ILabReporter reporter, string? commandLine = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(reporter);
        options.Validate();
        LabRunManifest manifest = LabRunManifest.Read(runDirectory);
        PoisonedSet set = LabTrainer.BuildTrainingSet(manifest.Options, FashionMnist.Load(manifest.Options.DataDirectory, train: true));
        string modelDirectory = Path.Combine(runDirectory, LabRunManifest.ModelDirectoryName);
        using var embedder = ClipEmbedder.Load(ModelSource.FromDirectory(modelDirectory), new EmbedderOptions { Threads = options.Threads });
        string version = $"{embedder.ModelId}@{embedder.Version}";
        if (version != manifest.ModelVersion)
        {
            throw new InvalidDataException($"{modelDirectory} holds {version}, but {LabRunManifest.FileName} was written for {manifest.ModelVersion}");
        }

        var clock = Stopwatch.StartNew();
        float[][] embeddings = SetEmbedder.Embed(embedder, set.Images, reporter, "embed training set");
        double embedRate = set.Images.Count / clock.Elapsed.TotalSeconds;
        reporter.Info(string.Create(CultureInfo.InvariantCulture, $"embedded {set.Images.Count} training images at {embedRate:0} images/s"));

        var curves = new List<RocSeries>();
        List<DetectionRow> rows = BatchDetection.LeaveOneOut(embeddings, set.Poisoned, options.ReferenceSizes, options.Ks, options.Seed, options.Threads, reporter, curves);
        StreamResult? stream = null;
        if (options.Stream)
        {
            stream = new StreamDetection(cli, reporter).Run(set, embeddings, modelDirectory, runDirectory, options.StreamOptions with { Seed = options.Seed });
            rows.AddRange(stream.Rows);
            curves.AddRange(stream.Curves);
        }

        var result = new LabEvalResult { Run = manifest, Rows = rows, Stream = stream, EmbedImagesPerSecond = embedRate, CommandLine = commandLine };
        result.Write(runDirectory);
        RocPlot.Save(Path.Combine(runDirectory, LabEvalResult.PlotFile), LabReport.Title(manifest), curves);
        File.WriteAllText(Path.Combine(runDirectory, "detection.md"), LabReport.Section(result, LabEvalResult.PlotFile));
        return result;
    }
}
