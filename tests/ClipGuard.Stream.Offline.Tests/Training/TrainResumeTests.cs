using ClipGuard.Stream.Offline.Training;

namespace ClipGuard.Stream.Offline.Tests.Training;

/// <summary>
/// Checkpoint and resume of the train engine. A run interrupted after its first epoch (cancelled as Ctrl+C does, at
/// the first step of epoch 2) continues from the epoch-1 checkpoint, and because each epoch's shuffle depends only on
/// the seed and the epoch, and the weights and AdamW state round-trip exactly, on one libtorch thread the resumed
/// run's final weights are byte-identical to an uninterrupted run's.
/// </summary>
[Collection(InProcessTorch.Name)]
public sealed class TrainResumeTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void A_run_stopped_after_epoch_1_resumes_from_its_checkpoint_and_ends_with_the_uninterrupted_weights()
    {
        DatasetWriter.WriteTar(_temp.Sub("shards"), PoisonedFashion.Create(150, 6), 50);
        TrainSettings Settings(string output) => new(_temp.Sub("shards"), output)
        {
            Epochs = 2,
            Batch = 32,
            Threads = 1,
            LearningRate = 3e-3,
            Model = new() { ImageSize = 16, PatchSize = 8, VisionWidth = 32, HeadWidth = 16, VisionLayers = 1, TextWidth = 32, TextLayers = 1, ContextLength = 16, EmbedDim = 32 },
        };

        TrainManifest whole, resumed;
        int epochsSeenBeforeStop = 0;
        lock (TinyModel.TorchSeedGate)
        {
            whole = TrainEngine.Run(Settings(_temp.Sub("whole")) with { KeepEpochs = true }, cancellationToken: TestContext.Current.CancellationToken);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            var observer = new TrainObserver { Epoch = _ => { epochsSeenBeforeStop++; stop.Cancel(); } };
            Assert.ThrowsAny<OperationCanceledException>(() => TrainEngine.Run(Settings(_temp.Sub("stopped")), observer, cancellationToken: stop.Token));
            Assert.False(File.Exists(Path.Combine(_temp.Sub("stopped"), "train.json")));
            Assert.True(File.Exists(Path.Combine(_temp.Sub("stopped"), "checkpoint", "epoch-0001.safetensors")));
            resumed = TrainEngine.Run(Settings(_temp.Sub("stopped")), cancellationToken: TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, epochsSeenBeforeStop);
        Assert.Equal(0, whole.ResumedAfterEpoch);
        Assert.Equal(1, resumed.ResumedAfterEpoch);
        Assert.Equal(2, resumed.History.Count);
        Assert.Equal(whole.History.Select(h => h.Loss), resumed.History.Select(h => h.Loss));
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(_temp.Sub("whole"), "model", TrainEngine.WeightsFile)),
            File.ReadAllBytes(Path.Combine(_temp.Sub("stopped"), "model", TrainEngine.WeightsFile)));
        Assert.Equal(whole.ModelVersion, resumed.ModelVersion);
        Assert.Single(Directory.GetFiles(Path.Combine(_temp.Sub("stopped"), "checkpoint"), "epoch-*.safetensors"));
        Assert.Empty(Directory.GetFiles(_temp.Sub("stopped"), "*.tmp-*", SearchOption.AllDirectories));

        // --keep-epochs: each epoch's model is its own loadable folder; the last is the final model, and keeping them
        // changed nothing in training (the whole run's weights equal the resumed run's, which kept none).
        Assert.False(Directory.Exists(Path.Combine(_temp.Sub("stopped"), "epochs")));
        string[] kept = [.. Directory.GetDirectories(Path.Combine(_temp.Sub("whole"), "epochs")).Select(Path.GetFileName).Order()!];
        Assert.Equal(["epoch-0001", "epoch-0002"], kept);
        byte[] Weights(string folder) => File.ReadAllBytes(Path.Combine(folder, TrainEngine.WeightsFile));
        Assert.Equal(Weights(Path.Combine(_temp.Sub("whole"), "model")), Weights(TrainEngine.EpochModelDirectory(_temp.Sub("whole"), 2)));
        Assert.NotEqual(Weights(TrainEngine.EpochModelDirectory(_temp.Sub("whole"), 1)), Weights(TrainEngine.EpochModelDirectory(_temp.Sub("whole"), 2)));
        Assert.Equal(
            File.ReadAllText(Path.Combine(_temp.Sub("whole"), "model", TrainEngine.ModelId + ".json")),
            File.ReadAllText(Path.Combine(TrainEngine.EpochModelDirectory(_temp.Sub("whole"), 1), TrainEngine.ModelId + ".json")));
    }

    [Fact]
    public void More_epochs_on_a_finished_run_extend_it_from_its_last_checkpoint()
    {
        DatasetWriter.WriteFiles(_temp.Sub("files"), PoisonedFashion.Create(64, 0), 64);
        var settings = new TrainSettings(_temp.Sub("files"), _temp.Sub("run"))
        {
            Epochs = 1,
            Batch = 32,
            Threads = 1,
            Model = new() { ImageSize = 16, PatchSize = 8, VisionWidth = 32, HeadWidth = 16, VisionLayers = 1, TextWidth = 32, TextLayers = 1, ContextLength = 16, EmbedDim = 32 },
        };
        TrainManifest first, extended;
        lock (TinyModel.TorchSeedGate)
        {
            first = TrainEngine.Run(settings, cancellationToken: TestContext.Current.CancellationToken);
            extended = TrainEngine.Run(settings with { Epochs = 2 }, cancellationToken: TestContext.Current.CancellationToken);
        }

        Assert.Single(first.History);
        Assert.Equal(1, extended.ResumedAfterEpoch);
        Assert.Equal([1, 2], extended.History.Select(h => h.Epoch));
        Assert.Equal(first.History[0], extended.History[0]);
        Assert.Throws<OfflineInputException>(() => TrainEngine.Run(settings with { Epochs = 1, Batch = 16 }, cancellationToken: TestContext.Current.CancellationToken));
    }
}
