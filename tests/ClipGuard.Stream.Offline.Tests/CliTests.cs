using System.Diagnostics;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Offline.Tests;

/// <summary>The embed, clean and clean-merge verbs as users run them: real child processes, killed and rerun.</summary>
public sealed class CliTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private readonly TempFolder _temp = new();
    private readonly List<TestSample> _samples = PoisonedFashion.Create(120, 4);
    private readonly string _model;

    public CliTests() => _model = TinyModel.Create(_temp.Sub("model"));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task An_embed_killed_midway_resumes_and_writes_what_an_uninterrupted_run_writes()
    {
        var ct = TestContext.Current.CancellationToken;
        DatasetWriter.WriteFiles(_temp.Sub("files"), _samples, 32);
        // A FIFO in place of one image of shard 2: reading it blocks, so the process is certainly mid-run (shards 0 and
        // 1 finished, 2 open) when it is killed; no timing is involved.
        string blocked = Path.Combine(_temp.Sub("files"), "00002", _samples[70].Key + ".png");
        byte[] image = File.ReadAllBytes(blocked);
        File.Delete(blocked);
        using (var mkfifo = Process.Start("mkfifo", [blocked]))
        {
            await mkfifo.WaitForExitAsync(ct);
            Assert.Equal(0, mkfifo.ExitCode);
        }

        string[] args = ["embed", "--model", _model, "--input", _temp.Sub("files"), "--out", _temp.Sub("emb"), "--batch", "8"];
        using (var process = Process.Start(CliProcess.StartInfo(args))!)
        {
            process.StandardInput.Close();
            _ = process.StandardOutput.ReadToEndAsync(ct);
            _ = process.StandardError.ReadToEndAsync(ct);
            string stats1 = Path.Combine(_temp.Sub("emb"), "stats", "stats_1.json");
            var deadline = Stopwatch.StartNew();
            while (!File.Exists(stats1) && !process.HasExited && deadline.Elapsed < Timeout)
            {
                await Task.Delay(50, ct);
            }

            Assert.False(process.HasExited, "embed ended instead of blocking on the FIFO");
            Assert.True(File.Exists(stats1), "shard 1 never finished");
            PosixSignals.Send(process.Id, PosixSignals.SigKill);
            await process.WaitForExitAsync(ct);
        }

        Assert.False(File.Exists(Path.Combine(_temp.Sub("emb"), "stats", "stats_2.json")));
        Assert.False(File.Exists(Path.Combine(_temp.Sub("emb"), "img_emb", "img_emb_2.npy")));
        File.Delete(blocked);
        File.WriteAllBytes(blocked, image);

        var resumed = await CliProcess.RunAsync(args, Timeout, ct);
        Assert.True(resumed.ExitCode == 0, resumed.StandardError);
        Assert.Contains("4 shards (2 embedded now, 2 already done)", resumed.StandardOutput, StringComparison.Ordinal);
        var fresh = await CliProcess.RunAsync(["embed", "--model", _model, "--input", _temp.Sub("files"), "--out", _temp.Sub("fresh"), "--batch", "8"], Timeout, ct);
        Assert.True(fresh.ExitCode == 0, fresh.StandardError);
        foreach (string folder in new[] { "img_emb", "text_emb", "metadata", "stats" })
        {
            foreach (string file in Directory.GetFiles(Path.Combine(_temp.Sub("fresh"), folder)))
            {
                Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(_temp.Sub("emb"), folder, Path.GetFileName(file))));
            }
        }

        Assert.Equal(4, Directory.GetFiles(Path.Combine(_temp.Sub("emb"), "img_emb")).Length);
        Assert.Empty(Directory.GetFiles(_temp.Sub("emb"), "*.tmp-*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_openclip_hub_folder_with_both_weight_files_embeds_with_the_safetensors_and_says_so()
    {
        var ct = TestContext.Current.CancellationToken;
        DatasetWriter.WriteFiles(_temp.Sub("files"), _samples.Take(40).ToList(), 20);
        // The hub layout: open_clip_model.safetensors beside open_clip_pytorch_model.bin. The .bin here is not a
        // checkpoint at all, so any attempt to load it would fail the run: the output proves which file was read.
        string hub = Directory.CreateDirectory(_temp.Sub("hub")).FullName;
        File.Copy(Path.Combine(_model, "tiny-fashion.safetensors"), Path.Combine(hub, "open_clip_model.safetensors"));
        File.WriteAllText(Path.Combine(hub, "open_clip_pytorch_model.bin"), "not a checkpoint");
        File.Copy(Path.Combine(_model, "tiny-fashion.json"), Path.Combine(hub, "open_clip_config.json"));

        var fromHub = await CliProcess.RunAsync(["embed", "--model", hub, "--input", _temp.Sub("files"), "--out", _temp.Sub("emb-hub")], Timeout, ct);
        Assert.True(fromHub.ExitCode == 0, fromHub.StandardError);
        Assert.Contains("open_clip_model.safetensors (preferred over open_clip_pytorch_model.bin)", fromHub.StandardOutput, StringComparison.Ordinal);
        var single = await CliProcess.RunAsync(["embed", "--model", _model, "--input", _temp.Sub("files"), "--out", _temp.Sub("emb-single")], Timeout, ct);
        Assert.True(single.ExitCode == 0, single.StandardError);
        foreach (string folder in new[] { "img_emb", "text_emb" })
        {
            string[] files = Directory.GetFiles(Path.Combine(_temp.Sub("emb-single"), folder));
            Assert.Equal(2, files.Length);
            foreach (string file in files)
            {
                Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(_temp.Sub("emb-hub"), folder, Path.GetFileName(file))));
            }
        }
    }

    [Fact]
    public async Task Broken_shards_are_counted_and_reported_and_clean_writes_its_outputs()
    {
        var ct = TestContext.Current.CancellationToken;
        DatasetWriter.WriteTar(_temp.Sub("wds"), _samples, 62);
        // Shard 1 loses its last 1,000 bytes; one image of shard 0 becomes garbage under its .png name.
        string tar1 = Path.Combine(_temp.Sub("wds"), "00001.tar");
        byte[] whole = File.ReadAllBytes(tar1);
        File.WriteAllBytes(tar1, whole[..^1000]);
        var broken = _samples.Take(62).Select((s, i) => i == 5 ? s with { Image = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3] } : s);
        DatasetWriter.WriteTar(_temp.Sub("wds"), broken, 62);
        File.WriteAllBytes(tar1, whole[..^1000]);

        var embed = await CliProcess.RunAsync(["embed", "--model", _model, "--input", _temp.Sub("wds"), "--out", _temp.Sub("emb")], Timeout, ct);
        Assert.True(embed.ExitCode == 0, embed.StandardError);
        Assert.Contains("image_corrupt 1", embed.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("truncated_tar 1", embed.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("truncated_tar", embed.StandardError, StringComparison.Ordinal);
        Assert.Contains("decode", embed.StandardOutput, StringComparison.Ordinal);

        var clean = await CliProcess.RunAsync(["clean", "--embeddings", _temp.Sub("emb"), "--out", _temp.Sub("clean"), "--reference-size", "80", "--remove-top", "5"], Timeout, ct);
        Assert.True(clean.ExitCode == 0, clean.StandardError);
        foreach (string file in new[] { "scores.csv", "remove.txt", "summary.json", "summary.md", "score_histogram.png" })
        {
            Assert.True(File.Exists(Path.Combine(_temp.Sub("clean"), file)), file);
        }

        string summary = File.ReadAllText(Path.Combine(_temp.Sub("clean"), "summary.md"));
        Assert.Contains("image_corrupt 1", summary, StringComparison.Ordinal);
        Assert.Contains("truncated_tar 1", summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("embed --model M --input /nonexistent/x --out O", "no such file or folder")]
    [InlineData("embed --model M --input D --out O --device cuda", "libtorch sees no CUDA device")]
    [InlineData("embed --model M --input D --out O --device tpu", "expected cpu, cuda or cuda:N")]
    [InlineData("embed --model M --input D --out O --shard 2/2", "must be i/n")]
    [InlineData("embed --model /nonexistent/model --input D --out O", "--model /nonexistent/model: no such file or folder")]
    [InlineData("clean --embeddings /nonexistent/e --out O", "no embed_manifest.json")]
    [InlineData("clean --embeddings E --out O --remove-top 1 --threshold 2", "exclude each other")]
    [InlineData("clean --embeddings E --out O --remove-top 150", "between 0 and 100")]
    [InlineData("clean-merge --embeddings E --out /nonexistent/o", "no clean_config.json")]
    [InlineData("clean --embeddings E --out O --budget-confidence 1.5", "--budget-confidence 1.5 must be between 0 and 1")]
    [InlineData("clean --embeddings E --out O --remove-top 1 --budget-confidence 0.9", "cannot go with --remove-top or --threshold")]
    [InlineData("clean --embeddings E --out O --false-removal-rate 0.5 --budget-confidence 0.9999", "needs 35 calibration scores per signal; this calibration has 20 density and 20 agreement scores")]
    public async Task Bad_input_is_one_line_on_stderr_and_exit_code_2(string command, string expected)
    {
        var ct = TestContext.Current.CancellationToken;
        DatasetWriter.WriteTar(_temp.Sub("wds"), _samples.Take(20), 20);
        if (command.Contains(" E ", StringComparison.Ordinal))
        {
            var embed = await CliProcess.RunAsync(["embed", "--model", _model, "--input", _temp.Sub("wds"), "--out", _temp.Sub("emb")], Timeout, ct);
            Assert.Equal(0, embed.ExitCode);
        }

        string[] args = command.Split(' ').Select(a => a switch { "M" => _model, "D" => _temp.Sub("wds"), "O" => _temp.Sub("out"), "E" => _temp.Sub("emb"), _ => a }).ToArray();
        var result = await CliProcess.RunAsync(args, Timeout, ct);
        Assert.Equal(2, result.ExitCode);
        string line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line, StringComparison.Ordinal);
    }
}
