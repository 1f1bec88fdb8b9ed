using System.Formats.Tar;
using System.Text;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Index.Persistence;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Replication;
using ClipGuard.Stream.Offline.Reading;
using SkiaSharp;
using TorchSharp;
using TorchSharp.PyBridge;

namespace ClipGuard.Stream.Fuzzing;

/// <summary>
/// Small valid inputs for every target, written by our own writers (or, for checkpoints, by the libraries the
/// service reads them with), so that AFL++ starts from the accepted format and mutates inward. Regenerate with
/// <c>seeds DIR</c>; the committed corpus under corpus/ was made that way.
/// </summary>
public static class Seeds
{
    public static int WriteAll(string dir, TextWriter output)
    {
        foreach (var target in FuzzTargets.All)
        {
            Directory.CreateDirectory(Path.Combine(dir, target.Name));
        }

        Envelope(Path.Combine(dir, "envelope"));
        Npy(Path.Combine(dir, "npy"));
        Tar(Path.Combine(dir, "tar"));
        Parquet(Path.Combine(dir, "parquet"));
        Images(Path.Combine(dir, "image"));
        Checkpoints(dir);
        File.WriteAllText(Path.Combine(dir, "model-config", "vit-b-32.json"), File.ReadAllText(BuiltInConfigs.PathOf("ViT-B-32")));
        File.WriteAllText(Path.Combine(dir, "model-config", "rn50.json"), File.ReadAllText(BuiltInConfigs.PathOf("RN50")));
        Snapshot(Path.Combine(dir, "snapshot"));
        ReferenceLog(Path.Combine(dir, "reference-log"));
        foreach (var target in FuzzTargets.All)
        {
            output.WriteLine($"{target.Name,-14} {Directory.GetFiles(Path.Combine(dir, target.Name)).Length} seeds");
        }

        return 0;
    }

    private static void Envelope(string dir)
    {
        var plain = new SampleEnvelope("laion-000123", "a dog on a beach", [0.25f, -0.5f, 1e-3f, 3f], null, "https://example.com/1.jpg", "crawl-7");
        File.WriteAllBytes(Path.Combine(dir, "embedding.json"), EnvelopeWriter.ToUtf8Bytes(plain));
        var both = new SampleEnvelope("id-\u00e9\u4e2d", "caption with \"quotes\" and \\ and \u2603", [1f, 2f, 3f, 4f], Encoded(2, 2, SKEncodedImageFormat.Png))
        {
            TextEmbedding = [0.5f, 0.5f, 0.5f, 0.5f],
        };
        File.WriteAllBytes(Path.Combine(dir, "image-and-text.json"), EnvelopeWriter.ToUtf8Bytes(both));
        File.WriteAllText(Path.Combine(dir, "nulls.json"), """{"id":"x","caption":null,"url":null,"source":null,"embedding":[1,2,3,4e-2],"image":null,"text_embedding":null}""");
    }

    private static void Npy(string dir)
    {
        NpyWriter.Write<float>(Path.Combine(dir, "f4.npy"), "<f4", [2, 3], [1f, 2f, 3f, 4f, 5f, 6f]);
        NpyWriter.Write<double>(Path.Combine(dir, "f8.npy"), "<f8", [3], [0.5, 1.5, 2.5]);
        NpyWriter.Write<long>(Path.Combine(dir, "i8-labels.npy"), "<i8", [4], [0, 1, 1, 0]);
        NpyWriter.Write<Half>(Path.Combine(dir, "f2.npy"), "<f2", [1, 2], [(Half)1, (Half)2]);
    }

    private static void Tar(string dir)
    {
        using var file = File.Create(Path.Combine(dir, "shard.tar"));
        using var tar = new TarWriter(file, TarEntryFormat.Ustar);
        void Add(string name, byte[] data) => tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
        Add("000000000.png", Encoded(2, 2, SKEncodedImageFormat.Png));
        Add("000000000.txt", "a red square"u8.ToArray());
        Add("000000000.json", """{"key":"000000000","caption":"a red square","url":"https://example.com/a.png"}"""u8.ToArray());
        Add("000000001.jpg", Encoded(3, 2, SKEncodedImageFormat.Jpeg));
        Add("000000001.json", """{"caption":"only json"}"""u8.ToArray());
    }

    private static void Parquet(string dir) =>
        ParquetMetadata.WriteAsync(Path.Combine(dir, "meta.parquet"),
        [
            new MetadataRow { Key = "000000000", Caption = "a red square", Url = "https://example.com/a.png" },
            new MetadataRow { Key = "000000001", Caption = null, Url = null },
        ]).GetAwaiter().GetResult();

    private static void Images(string dir)
    {
        File.WriteAllBytes(Path.Combine(dir, "4x3.png"), Encoded(4, 3, SKEncodedImageFormat.Png));
        File.WriteAllBytes(Path.Combine(dir, "5x7.jpg"), Encoded(5, 7, SKEncodedImageFormat.Jpeg));
        File.WriteAllBytes(Path.Combine(dir, "3x3.webp"), Encoded(3, 3, SKEncodedImageFormat.Webp));
        // The smallest GIF (1x1, one colour); Skia decodes GIF but does not encode it.
        File.WriteAllBytes(Path.Combine(dir, "1x1.gif"), Convert.FromBase64String("R0lGODlhAQABAIAAAP///wAAACwAAAAAAQABAAACAkQBADs="));
    }

    private static byte[] Encoded(int width, int height, SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(width, height);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                bitmap.SetPixel(x, y, new SKColor((byte)(60 * x), (byte)(80 * y), 200));
            }
        }

        using var data = bitmap.Encode(format, 90);
        return data.ToArray();
    }

    private static void Checkpoints(string dir)
    {
        var state = new Dictionary<string, torch.Tensor>
        {
            ["visual.proj"] = torch.arange(6, dtype: torch.float32).reshape(2, 3),
            ["logit_scale"] = torch.tensor(4.6052f),
        };
        try
        {
            Safetensors.SaveStateDict(Path.Combine(dir, "safetensors", "tiny.safetensors"), state);
            PyTorchPickler.PickleStateDict(Path.Combine(dir, "pickle", "tiny.pt"), state);
        }
        finally
        {
            foreach (var tensor in state.Values)
            {
                tensor.Dispose();
            }
        }
    }

    private static void Snapshot(string dir)
    {
        var points = new Matrix<float>(3, 2);
        float[] values = [0f, 0f, 1f, 0f, 0f, 1f];
        values.CopyTo(points.Data, 0);
        var members = new List<ReferenceMemberState> { new("a", "s1", 0), new("b", "s2", 1), new("c", "s1", 2) };
        var state = new ReferenceSetState<float>(new ReferenceSetOptions { Capacity = 8, K = 2, HoldBack = 2 }, 3, 3, points, members, [])
        {
            LogPosition = 3,
            ModelVersion = "fuzz",
        };
        string file = Path.Combine(dir, "three.snapshot");
        ReferenceSnapshot.Write(file, state);
        // The body alone (without the 8-byte magic, the 4-byte version and the 32-byte SHA-256 trailer).
        byte[] whole = File.ReadAllBytes(file);
        string bodies = Path.Combine(Path.GetDirectoryName(dir)!, "snapshot-body");
        File.WriteAllBytes(Path.Combine(bodies, "three.body"), whole[12..^32]);
    }

    private static void ReferenceLog(string dir)
    {
        static byte[] Record(string key, byte[]? value) =>
            [(byte)Encoding.UTF8.GetByteCount(key), .. Encoding.UTF8.GetBytes(key), .. value ?? []];

        File.WriteAllBytes(Path.Combine(dir, "offer"), Record("sample-1", ReferenceLogCodec.Offer("replica-a", "crawl-7", [0.5f, -1f, 2f])));
        File.WriteAllBytes(Path.Combine(dir, "offer-no-source"), Record("s2", ReferenceLogCodec.Offer("b", null, [1f])));
        File.WriteAllBytes(Path.Combine(dir, "recalibrate"), Record("r", ReferenceLogCodec.Recalibrate("replica-a")));
        File.WriteAllBytes(Path.Combine(dir, "revoke"), Record("sample-1", null));
    }
}
