using System.Formats.Tar;
using System.Globalization;
using System.Text;
using ClipGuard.Stream.Embedding;
using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Offline.Cleaning;
using ClipGuard.Stream.Offline.Embedding;

namespace ClipGuard.Stream.Bench;

/// <summary>
/// `clipguard bench offline`: the offline path end to end on synthetic photo-sized JPEG pairs in webdataset shards
/// and a random-weight OpenCLIP model: embed (decode and forward timed separately) then clean, with the projection
/// to a CC3M-sized dataset (3.3M pairs).
/// </summary>
public sealed class OfflineBenchmark(TextWriter output, TextWriter log)
{
    public const long Cc3mPairs = 3_300_000;
    private const int DistinctImages = 32;

    public int Run(string modelName, int samples, int perShard, int batch, int referenceSize, int scaleRows, int threads)
    {
        string root = Path.Combine(Path.GetTempPath(), "clipguard-bench-offline-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            log.WriteLine(Inv($"bench: writing {samples} synthetic 640x480 JPEG pairs in shards of {perShard} and a random {modelName}..."));
            WriteShards(Path.Combine(root, "wds"), samples, perShard);
            string model = Directory.CreateDirectory(Path.Combine(root, "model")).FullName;
            File.Copy(BuiltInConfigs.PathOf(modelName), Path.Combine(model, modelName + ".json"));
            using (var random = ClipEmbedder.CreateRandom(BuiltInConfigs.Load(modelName), modelName, seed: 1))
            {
                random.Save(Path.Combine(model, modelName + ".safetensors"));
            }

            var embed = EmbedEngine.RunAsync(new EmbedSettings(model, null, Path.Combine(root, "wds"), Path.Combine(root, "emb")) { Batch = batch, Threads = threads })
                .GetAwaiter().GetResult();
            var clean = CleanEngine.Run(new CleanSettings(Path.Combine(root, "emb"), Path.Combine(root, "clean")) { ReferenceSize = referenceSize, RemoveTopPercent = 1, Threads = threads });
            double wall = embed.Wall.TotalSeconds, perDecode = embed.Timings.Decode.TotalSeconds / embed.Decoded;
            double forward = embed.Samples / embed.Timings.ImageForward.TotalSeconds, text = embed.Samples / embed.Timings.TextForward.TotalSeconds;
            double overall = embed.Samples / wall, cleanRate = clean.RowsScored / clean.ScoringTime.TotalSeconds;
            output.WriteLine(Inv($"CPU, {Environment.ProcessorCount} cores, {modelName} (random weights, float32), batch {batch}, {samples} pairs of 640x480 JPEG, clean |R| = {clean.ReferenceCount}, k = 16, DAO."));
            output.WriteLine();
            output.WriteLine("| stage | rate | 3.3M pairs (CC3M) would take |");
            output.WriteLine("|---|---:|---:|");
            output.WriteLine(Inv($"| decode + preprocess (per worker) | {1 / perDecode:F1} img/s ({perDecode * 1000:F1} ms/img) | {Hours(Cc3mPairs * perDecode)} worker-hours |"));
            output.WriteLine(Inv($"| image forward | {forward:F1} img/s | {Hours(Cc3mPairs / forward)} h |"));
            output.WriteLine(Inv($"| text forward | {text:F1} captions/s | {Hours(Cc3mPairs / text)} h |"));
            output.WriteLine(Inv($"| embed end to end (decode overlapped, images + captions) | {overall:F1} pairs/s | {Hours(Cc3mPairs / overall)} h |"));
            output.WriteLine(Inv($"| clean (score against |R| = {clean.ReferenceCount}) | {cleanRate:F0} pairs/s | {Cc3mPairs / cleanRate / 60:F1} min |"));
            var (rows, d, atScale) = CleanAtScale(root, embed, scaleRows, referenceSize: 4096, threads);
            output.WriteLine(Inv($"| clean at scale ({rows} rows, |R| = 4096, d = {d}) | {atScale:F0} pairs/s | {Cc3mPairs / atScale / 60:F1} min |"));
            return 0;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>
    /// Clean's cost grows with |R| and d, not with how the rows were made, so the rate at a realistic reference size is
    /// measured on an embeddings folder of the real rows repeated with small noise (no duplicates).
    /// </summary>
    private static (int Rows, int Dimension, double Rate) CleanAtScale(string root, EmbedReport embed, int rows, int referenceSize, int threads)
    {
        var source = Core.IO.Npy.ReadMatrixSingle(Path.Combine(root, "emb", "img_emb", "img_emb_0.npy"));
        var layout = new EmbedLayout(Path.Combine(root, "emb-scale"));
        layout.CreateFolders();
        const int perShard = 10_000;
        int shards = (rows + perShard - 1) / perShard;
        var rng = new Random(3);
        for (int s = 0; s < shards; s++)
        {
            int n = Math.Min(perShard, rows - (s * perShard));
            var m = new Core.Numerics.Matrix<float>(n, source.Cols);
            for (int i = 0; i < m.Data.Length; i++)
            {
                m.Data[i] = source.Data[i % source.Data.Length] * (1 + (0.05f * (float)(rng.NextDouble() - 0.5)));
            }

            Core.IO.Npy.Write(layout.ImageEmbeddings(s), m);
            var meta = Enumerable.Range(0, n).Select(i => new Stream.Offline.Reading.MetadataRow { Key = Inv($"{s}-{i}"), Caption = "c" }).ToArray();
            Stream.Offline.Reading.ParquetMetadata.WriteAsync(layout.Metadata(s), meta).GetAwaiter().GetResult();
            Stream.Offline.OfflineJson.Write(layout.Stats(s), new ShardStats(s, Inv($"{s:D5}"), n, source.Cols, false, new SortedDictionary<string, long>(StringComparer.Ordinal)));
        }

        Stream.Offline.OfflineJson.Write(layout.Manifest, new EmbedManifest("synthetic", Enumerable.Range(0, shards).Select(s => Inv($"{s:D5}")).ToArray(), embed.ModelId, embed.ModelVersion, source.Cols, false, false));
        var report = CleanEngine.Run(new CleanSettings(layout.Root, Path.Combine(root, "clean-scale")) { ReferenceSize = referenceSize, Threads = threads });
        return (rows, source.Cols, report.RowsScored / report.ScoringTime.TotalSeconds);
    }

    private static void WriteShards(string folder, int samples, int perShard)
    {
        Directory.CreateDirectory(folder);
        var jpegs = Enumerable.Range(0, DistinctImages).Select(i => SyntheticImages.Jpeg(640, 480, seed: i)).ToArray();
        for (int shard = 0; shard * perShard < samples; shard++)
        {
            using var file = File.Create(Path.Combine(folder, Inv($"{shard:D5}.tar")));
            using var tar = new TarWriter(file, TarEntryFormat.Pax);
            for (int i = shard * perShard; i < Math.Min(samples, (shard + 1) * perShard); i++)
            {
                string key = Inv($"{i:D9}");
                Add(tar, key + ".jpg", jpegs[i % DistinctImages]);
                Add(tar, key + ".txt", Encoding.UTF8.GetBytes(Inv($"a photo of item {i} on a wooden table")));
            }
        }
    }

    private static void Add(TarWriter tar, string name, byte[] data) =>
        tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });

    private static string Hours(double seconds) => Inv($"{seconds / 3600:F1}");

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
