using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Training;

namespace ClipGuard.Stream.Offline.Training;

/// <summary>
/// OUT/checkpoint/: the model and optimiser after the last complete epoch, in files named by the epoch, and
/// state.json naming that epoch. Each file is written to a temporary name and renamed, and state.json last, so a run
/// killed at any moment leaves state.json pointing at a complete pair of files; older epochs are deleted after.
/// </summary>
internal sealed class TrainCheckpoint(string outDirectory)
{
    public string Folder { get; } = Path.Combine(outDirectory, "checkpoint");

    public string StatePath => Path.Combine(Folder, "state.json");

    public string Weights(int epoch) => Path.Combine(Folder, $"epoch-{epoch:D4}.safetensors");

    public string Optimizer(int epoch) => Path.Combine(Folder, $"epoch-{epoch:D4}.optimizer.bin");

    public TrainState? Read() => OfflineJson.Read<TrainState>(StatePath);

    public void Write(ClipEmbedder embedder, ContrastiveTrainer trainer, TrainState state)
    {
        Directory.CreateDirectory(Folder);
        int epoch = state.CompletedEpochs;
        SaveWeights(embedder, Weights(epoch));
        WriteVia(Optimizer(epoch), ".bin", trainer.SaveOptimizer);
        OfflineJson.Write(StatePath, state);
        foreach (string old in Directory.EnumerateFiles(Folder, "epoch-*").Where(f => f != Weights(epoch) && f != Optimizer(epoch)).ToArray())
        {
            File.Delete(old);
        }
    }

    /// <summary>Writes weights atomically; the temporary name keeps the extension, which picks the format.</summary>
    public static void SaveWeights(ClipEmbedder embedder, string path) => WriteVia(path, Path.GetExtension(path), embedder.Save);

    /// <summary>Removes what a killed run may have left half-written.</summary>
    public static void RemoveTemporaries(string folder)
    {
        if (Directory.Exists(folder))
        {
            foreach (string temp in Directory.EnumerateFiles(folder, "*.tmp-*").ToArray())
            {
                File.Delete(temp);
            }
        }
    }

    private static void WriteVia(string path, string extension, Action<string> save) =>
        AtomicFile.Write(path, tmp =>
        {
            string named = tmp + extension;
            save(named);
            File.Move(named, tmp);
        });
}
