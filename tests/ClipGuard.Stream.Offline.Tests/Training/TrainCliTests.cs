using System.Text.Json;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Offline.Tests.Training;

/// <summary>`clipguard train` as users run it: a real child process on synthetic img2dataset shards.</summary>
public sealed class TrainCliTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Train_leaves_a_model_that_loads_embeds_and_serves_embed_and_the_loss_falls()
    {
        var ct = TestContext.Current.CancellationToken;
        var samples = PoisonedFashion.Create(290, 10);
        DatasetWriter.WriteTar(_temp.Sub("shards"), samples, 100);
        // One damaged image member among the 300: counted and skipped, not fatal.
        DamageImage(_temp.Sub("files"), samples);
        string labels = TrainFixture.WriteLabels(_temp.Sub("labels.csv"), samples);

        var result = await CliProcess.RunAsync(["train", "--input", _temp.Sub("files"), "--out", _temp.Sub("run"), "--labels", labels, .. TrainFixture.TinyArgs(epochs: 3)], Timeout, ct);

        Assert.True(result.ExitCode == 0, result.StandardError);
        Assert.Contains("train: epoch 3/3", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("poisoned", result.StandardError, StringComparison.Ordinal);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(_temp.Sub("run"), "train.json")));
        var root = manifest.RootElement;
        Assert.Equal(299, root.GetProperty("pairs").GetInt32());
        Assert.Equal(1, root.GetProperty("skipped").EnumerateObject().Sum(p => p.Value.GetInt64()));
        Assert.Equal(10, root.GetProperty("poisonedPairs").GetInt32());
        double[] losses = [.. root.GetProperty("history").EnumerateArray().Select(e => e.GetProperty("loss").GetDouble())];
        Assert.Equal(3, losses.Length);
        Assert.True(losses[2] < losses[0], $"loss went {string.Join(" -> ", losses)}");
        Assert.True(root.GetProperty("pairsPerSecond").GetDouble() > 0);
        Assert.True(root.GetProperty("history")[2].GetProperty("poisonedCosine").ValueKind == JsonValueKind.Number);

        using (var embedder = ClipEmbedder.Load(ModelSource.FromDirectory(Path.Combine(_temp.Sub("run"), "model"))))
        {
            Assert.Equal(16, embedder.ImageSize);
            float[] pixels = new ImagePreprocessor().Preprocess(samples[0].Image, embedder.ImageSize);
            float[] embedding = embedder.EncodeImages([pixels])[0];
            Assert.Equal(embedder.EmbedDim, embedding.Length);
            Assert.All(embedding, v => Assert.True(float.IsFinite(v)));
        }

        var embed = await CliProcess.RunAsync(["embed", "--model", Path.Combine(_temp.Sub("run"), "model"), "--input", _temp.Sub("shards"), "--out", _temp.Sub("emb")], Timeout, ct);
        Assert.True(embed.ExitCode == 0, embed.StandardError);
        Assert.Contains("300 samples embedded", embed.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_train_killed_with_sigkill_after_its_first_epoch_resumes_and_ends_with_the_uninterrupted_weights()
    {
        var ct = TestContext.Current.CancellationToken;
        DatasetWriter.WriteTar(_temp.Sub("shards"), PoisonedFashion.Create(600, 0), 200);
        string[] Args(string output) => ["train", "--input", _temp.Sub("shards"), "--out", output, .. TrainFixture.TinyArgs(epochs: 4)];

        var whole = await CliProcess.RunAsync(Args(_temp.Sub("whole")), Timeout, ct);
        Assert.True(whole.ExitCode == 0, whole.StandardError);

        // SIGKILL (no Ctrl+C, no cleanup) as soon as the first epoch's checkpoint is complete: its state file is
        // written last, after the weights and the optimizer state (a kill before it restarts the run from scratch).
        string firstCheckpoint = Path.Combine(_temp.Sub("killed"), "checkpoint", "state.json");
        using (var process = System.Diagnostics.Process.Start(CliProcess.StartInfo(Args(_temp.Sub("killed"))))!)
        {
            process.StandardInput.Close();
            _ = process.StandardOutput.ReadToEndAsync(ct);
            _ = process.StandardError.ReadToEndAsync(ct);
            var deadline = DateTime.UtcNow + Timeout;
            while (!File.Exists(firstCheckpoint) && !process.HasExited && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10, ct);
            }

            Assert.True(File.Exists(firstCheckpoint) && !process.HasExited, "the run ended (or stalled) before its first checkpoint could be killed");
            process.Kill();
            await process.WaitForExitAsync(ct);
            Assert.Equal(137, process.ExitCode);
        }

        Assert.False(File.Exists(Path.Combine(_temp.Sub("killed"), "train.json")));
        var resumed = await CliProcess.RunAsync(Args(_temp.Sub("killed")), Timeout, ct);
        Assert.True(resumed.ExitCode == 0, resumed.StandardError);
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(_temp.Sub("killed"), "train.json")));
        Assert.InRange(manifest.RootElement.GetProperty("resumedAfterEpoch").GetInt32(), 1, 3);
        Assert.Equal(4, manifest.RootElement.GetProperty("history").GetArrayLength());
        Assert.Equal(
            File.ReadAllBytes(Path.Combine(_temp.Sub("whole"), "model", Offline.Training.TrainEngine.WeightsFile)),
            File.ReadAllBytes(Path.Combine(_temp.Sub("killed"), "model", Offline.Training.TrainEngine.WeightsFile)));
        Assert.Empty(Directory.GetFiles(_temp.Sub("killed"), "*.tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task A_rerun_with_other_options_is_refused_with_one_line_and_exit_2()
    {
        var ct = TestContext.Current.CancellationToken;
        DatasetWriter.WriteFiles(_temp.Sub("files"), PoisonedFashion.Create(60, 0), 30);
        var first = await CliProcess.RunAsync(["train", "--input", _temp.Sub("files"), "--out", _temp.Sub("run"), .. TrainFixture.TinyArgs(epochs: 1)], Timeout, ct);
        Assert.True(first.ExitCode == 0, first.StandardError);

        var other = await CliProcess.RunAsync(["train", "--input", _temp.Sub("files"), "--out", _temp.Sub("run"), .. TrainFixture.TinyArgs(epochs: 2), "--seed", "9"], Timeout, ct);
        Assert.Equal(2, other.ExitCode);
        string error = Assert.Single(other.StandardError.Trim().Split('\n'), l => l.StartsWith("clipguard train:", StringComparison.Ordinal));
        Assert.Contains("--seed 1", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_is_one_line_on_stderr_and_exit_2()
    {
        var ct = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(_temp.Sub("empty"));
        Directory.CreateDirectory(_temp.Sub("garbage"));
        await File.WriteAllBytesAsync(Path.Combine(_temp.Sub("garbage"), "00000.tar"), [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7))], ct);
        var uncaptioned = PoisonedFashion.Create(20, 0);
        DatasetWriter.WriteFiles(_temp.Sub("uncaptioned"), uncaptioned, 20);
        foreach (string member in Directory.GetFiles(_temp.Sub("uncaptioned"), "*.txt", SearchOption.AllDirectories))
        {
            File.Delete(member);
        }

        foreach (var (input, expected) in new[]
                 {
                     (_temp.Sub("missing"), "no such file or folder"),
                     (_temp.Sub("empty"), "no shards found"),
                     (_temp.Sub("garbage"), "usable image-caption pairs"),
                     (_temp.Sub("uncaptioned"), "missing_caption 20"),
                 })
        {
            var result = await CliProcess.RunAsync(["train", "--input", input, "--out", _temp.Sub("out-" + Path.GetFileName(input)), .. TrainFixture.TinyArgs(1)], Timeout, ct);
            Assert.True(result.ExitCode == 2, $"{input}: exit {result.ExitCode}; {result.StandardError}");
            // Progress and skip warnings may precede it; the failure itself is one line, the last.
            string error = Assert.Single(result.StandardError.Trim().Split('\n'), l => l.StartsWith("clipguard train:", StringComparison.Ordinal));
            Assert.Contains(expected, error, StringComparison.Ordinal);
            Assert.EndsWith(error, result.StandardError.Trim(), StringComparison.Ordinal);
        }
    }

    private static void DamageImage(string folder, List<TestSample> samples)
    {
        DatasetWriter.WriteFiles(folder, samples, 100);
        string png = Path.Combine(folder, "00001", samples[150].Key + ".png");
        byte[] bytes = File.ReadAllBytes(png);
        File.WriteAllBytes(png, bytes[..40]);
    }
}
