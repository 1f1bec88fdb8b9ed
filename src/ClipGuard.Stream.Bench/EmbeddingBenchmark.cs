using System.Diagnostics;
using System.Globalization;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Embedding.Tokenization;

namespace ClipGuard.Stream.Bench;

/// <summary>
/// `clipguard bench embed`: decode + preprocess throughput (one core and all cores) and forward-pass throughput of
/// the real OpenCLIP architectures with random weights, measured separately, on the CPU or a CUDA device. On a CUDA
/// device the same weights also run on the CPU for one batch, and the row gives the largest difference between the
/// two devices' normalised embeddings.
/// </summary>
public sealed class EmbeddingBenchmark(TextWriter output, TextWriter log)
{
    private const int DistinctImages = 16;

    public int Run(IReadOnlyList<string> models, int batch, int batches, int decodeImages, int threads, string device = "cpu")
    {
        threads = threads > 0 ? threads : Environment.ProcessorCount;
        bool onCpu;
        try
        {
            onCpu = ClipEmbedder.DeviceOf(device).type == TorchSharp.DeviceType.CPU;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            log.WriteLine($"bench embed: {e.Message}");
            return 2;
        }

        log.WriteLine(Inv($"bench: generating {DistinctImages} synthetic 640x480 JPEGs (quality 90)..."));
        var jpegs = Enumerable.Range(0, DistinctImages).Select(i => SyntheticImages.Jpeg(640, 480, seed: i)).ToArray();
        string where = onCpu ? "CPU" : Inv($"device {device}");
        output.WriteLine(Inv($"{where}, {threads} torch threads, {Environment.ProcessorCount} cores, float32, random weights; input 640x480 JPEG (~{jpegs.Average(j => j.Length) / 1024:F0} KiB)."));
        output.WriteLine();
        output.WriteLine("| model | params | image size | decode+preprocess img/s (1 core) | decode+preprocess img/s (all cores) | device | batch | image forward img/s | ms/batch | text forward texts/s | max abs diff vs CPU (image, text) |");
        output.WriteLine("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|");
        var tokenizer = ClipTokenizer.LoadDefault();
        foreach (var name in models)
        {
            output.WriteLine(Row(name, jpegs, tokenizer, batch, batches, decodeImages, threads, device, onCpu));
            output.Flush();
        }

        return 0;
    }

    private string Row(string name, byte[][] jpegs, ClipTokenizer tokenizer, int batch, int batches, int decodeImages, int threads, string device, bool onCpu)
    {
        var config = BuiltInConfigs.Load(name);
        int size = config.Vision.ImageSize;
        var pre = new ImagePreprocessor();

        pre.Preprocess(jpegs[0], size);
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < decodeImages; i++)
        {
            pre.Preprocess(jpegs[i % jpegs.Length], size);
        }

        double decodeOne = decodeImages / sw.Elapsed.TotalSeconds;
        sw.Restart();
        Parallel.For(0, decodeImages, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => pre.Preprocess(jpegs[i % jpegs.Length], size));
        double decodeAll = decodeImages / sw.Elapsed.TotalSeconds;
        log.WriteLine(Inv($"bench: {name}: decode+preprocess {decodeOne:F0} img/s on one core, {decodeAll:F0} img/s on {threads}"));

        using var embedder = ClipEmbedder.CreateRandom(config, name, seed: 1, new EmbedderOptions { Threads = threads, Device = device });
        long parameters = embedder.ParameterCount;
        var pixels = Enumerable.Range(0, batch).Select(i => pre.Preprocess(jpegs[i % jpegs.Length], size)).ToArray();
        var firstImages = embedder.EncodeImages(pixels);   // warm-up: allocator and kernel selection
        sw.Restart();
        for (int b = 0; b < batches; b++)
        {
            embedder.EncodeImages(pixels);
        }

        double perBatch = sw.Elapsed.TotalMilliseconds / batches;
        double forward = batch * 1000.0 / perBatch;
        log.WriteLine(Inv($"bench: {name}: image forward {forward:F1} img/s ({perBatch:F0} ms per batch of {batch})"));

        var captions = Enumerable.Range(0, batch).Select(i => tokenizer.Tokenize($"a photo of a birthday cake number {i} on a wooden table", config.Text.ContextLength)).ToArray();
        var firstTexts = embedder.EncodeTokens(captions);
        sw.Restart();
        for (int b = 0; b < batches; b++)
        {
            embedder.EncodeTokens(captions);
        }

        double text = batch * batches / sw.Elapsed.TotalSeconds;
        string parity = "—";
        if (!onCpu)
        {
            // The same seed draws the same weights on the CPU; one batch of each tower there is the yardstick.
            using var reference = ClipEmbedder.CreateRandom(config, name, seed: 1, new EmbedderOptions { Threads = threads });
            double image = MaxAbsDiff(firstImages, reference.EncodeImages(pixels));
            double caption = MaxAbsDiff(firstTexts, reference.EncodeTokens(captions));
            parity = Inv($"{image:E1}, {caption:E1}");
            log.WriteLine(Inv($"bench: {name}: {device} against CPU, max abs diff of normalised embeddings: image {image:E2}, text {caption:E2}"));
        }

        return Inv($"| {name} | {parameters / 1e6:F1}M | {size} | {decodeOne:F0} | {decodeAll:F0} | {embedder.DeviceName} | {batch} | {forward:F1} | {perBatch:F0} | {text:F1} | {parity} |");
    }

    private static double MaxAbsDiff(float[][] a, float[][] b)
    {
        double worst = 0;
        for (int i = 0; i < a.Length; i++)
        {
            for (int j = 0; j < a[i].Length; j++)
            {
                worst = Math.Max(worst, Math.Abs((double)a[i][j] - b[i][j]));
            }
        }

        return worst;
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
