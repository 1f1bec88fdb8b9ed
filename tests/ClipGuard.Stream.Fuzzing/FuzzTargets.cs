using System.Text;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Embedding.Checkpoints;
using ClipGuard.Stream.Embedding.Config;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Index.Persistence;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Kafka.Replication;
using ClipGuard.Stream.Offline.Reading;
using Microsoft.Extensions.Logging.Abstractions;

namespace ClipGuard.Stream.Fuzzing;

/// <summary>
/// One parser of untrusted bytes. <see cref="Run"/> feeds it the input and swallows only the rejection the parser
/// documents (its own exception type, or a result that says "rejected"); anything else that escapes (an
/// IndexOutOfRange, an OutOfMemory from a size the input claims, a broken round trip, a hang, a native crash) is a
/// finding.
/// </summary>
public sealed record FuzzTarget(string Name, string Parser, Action<byte[]> Run);

/// <summary>Every fuzz target, by name; the same code runs under AFL++ and in the corpus regression tests.</summary>
public static class FuzzTargets
{
    /// <summary>Embedding dimension the envelope target expects (small, so the fuzzer can produce valid vectors).</summary>
    public const int EnvelopeDim = 4;

    /// <summary>Pixel bound of the image target (the service's default is 89 M; a smaller bound keeps runs fast and still
    /// exercises the check).</summary>
    public const long ImageMaxPixels = 4_000_000;

    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("envelope", "EnvelopeParser.Parse (input topic message value), with a write-and-reparse round trip of accepted ones", Envelope),
        new("npy", "NpyReader (embeddings, labels, neighbour lists)", Npy),
        new("tar", "ShardReader + SampleAssembler over a webdataset .tar shard", Tar),
        new("parquet", "ParquetMetadata.ForShardAsync (img2dataset sidecar parquet)", Parquet),
        new("image", "ImagePreprocessor.Preprocess (decode, resize, crop, normalise)", Image),
        new("safetensors", "Checkpoint.Read of a .safetensors checkpoint", bytes => CheckpointFile(bytes, ".safetensors")),
        new("pickle", "Checkpoint.Read of a PyTorch .pt (zip + pickle) checkpoint", bytes => CheckpointFile(bytes, ".pt")),
        new("model-config", "ClipModelConfigParser.Parse (open_clip model config JSON)", ModelConfig),
        new("snapshot", "ReferenceSnapshot.Read (reference snapshot file)", Snapshot),
        new("snapshot-body", "ReferenceSnapshot.Read past the checksum: the input is the body of a correctly checksummed file", SnapshotBody),
        new("reference-log", "ReferenceLogCodec.Decode (replicated reference log record)", ReferenceLog),
    ];

    public static FuzzTarget Get(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"no fuzz target '{name}'; targets: {string.Join(", ", All.Select(t => t.Name))}", nameof(name));

    private static void Envelope(byte[] bytes)
    {
        var result = EnvelopeParser.Parse("k"u8.ToArray(), bytes, EnvelopeDim, 1 << 20);
        if (result.Envelope is not { } e)
        {
            if (result.Rejection is null)
            {
                throw new InvalidOperationException("the parser returned neither an envelope nor a rejection");
            }

            return;
        }

        // What the service writes back (quarantine and clean topics) must read back as the same sample.
        var again = EnvelopeParser.Parse("k"u8.ToArray(), EnvelopeWriter.ToUtf8Bytes(e), EnvelopeDim, 1 << 21).Envelope
            ?? throw new InvalidOperationException("an accepted envelope, written back, is rejected");
        if (again.Id != e.Id || again.Caption != e.Caption || again.Url != e.Url || again.Source != e.Source
            || !Same(again.Embedding, e.Embedding) || !Same(again.TextEmbedding, e.TextEmbedding)
            || !(again.Image ?? []).AsSpan().SequenceEqual(e.Image ?? []) || (again.Image is null) != (e.Image is null))
        {
            throw new InvalidOperationException("an accepted envelope does not survive writing and reading back");
        }
    }

    private static bool Same(float[]? a, float[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    private static void Npy(byte[] bytes) => WithFile(bytes, ".npy", path =>
    {
        Rejects<NpyFormatException>(() => NpyReader.ReadMatrix<float>(path));
        Rejects<NpyFormatException>(() => NpyReader.ReadMatrix<double>(path));
        Rejects<NpyFormatException>(() => NpyReader.ReadVector(path));
        Rejects<NpyFormatException>(() => NpyReader.ReadLabels(path));
        Rejects<NpyFormatException>(() => NpyReader.ReadIndexMatrix(path));
    });

    private static void Tar(byte[] bytes) => WithFile(bytes, ".tar", path =>
    {
        var shard = new InputShard(0, "fuzz", path, ShardKind.Tar, bytes.Length, null);
        var skips = new SkipCounts();
        var reader = new ShardReader(shard, new SampleAssembler(shard.Name, skips, NullLogger.Instance), 1 << 20);
        foreach (var sample in reader.Read())
        {
            if (sample.Image.Length == 0 || string.IsNullOrEmpty(sample.Key))
            {
                throw new InvalidOperationException($"the reader produced a sample without an image or a key ('{sample.Key}')");
            }
        }
    });

    private static void Parquet(byte[] bytes) => WithFile(bytes, ".parquet", path =>
    {
        var shard = new InputShard(0, "fuzz", path + ".tar", ShardKind.Tar, 0, path);
        // Documented: a damaged sidecar is logged and read as absent (null); only cancellation and OOM escape.
        _ = ParquetMetadata.ForShardAsync(shard, NullLogger.Instance).GetAwaiter().GetResult();
    });

    private static void Image(byte[] bytes)
    {
        var preprocessor = new ImagePreprocessor(new PreprocessOptions { MaxPixels = ImageMaxPixels });
        Rejects<ImageRejectedException>(() =>
        {
            float[] pixels = preprocessor.Preprocess(bytes, 32);
            if (pixels.Length != 3 * 32 * 32 || Array.Exists(pixels, v => !float.IsFinite(v)))
            {
                throw new InvalidOperationException("preprocessing produced a wrong-sized or non-finite input");
            }
        });
    }

    private static void CheckpointFile(byte[] bytes, string extension) => WithFile(bytes, extension, path =>
        Rejects<CheckpointException>(() =>
        {
            foreach (var tensor in Checkpoint.Read(path).Values)
            {
                tensor.Dispose();
            }
        }));

    private static void ModelConfig(byte[] bytes)
    {
        string json;
        try
        {
            json = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return; // File.ReadAllText would replace invalid bytes; the parser only ever sees text.
        }

        Rejects<ModelConfigException>(() => ClipModelConfigParser.Parse(json, "fuzz"));
    }

    private static void Snapshot(byte[] bytes) => WithFile(bytes, ".snapshot", path =>
        Rejects<SnapshotCorruptException>(() => ReferenceSnapshot.Read<float>(path)));

    // A mutated snapshot almost never passes the SHA-256 trailer, so the body parser behind it is fuzzed with the input
    // wrapped in a valid header and trailer (what a crafted or buggy-writer file would look like).
    private static void SnapshotBody(byte[] bytes) => WithFile([], ".snapshot", path =>
    {
        ChecksummedFile.Write(path, ReferenceSnapshot.Magic, ReferenceSnapshot.FormatVersion, w => w.Write(bytes));
        Rejects<SnapshotCorruptException>(() => ReferenceSnapshot.Read<float>(path));
    });

    private static void ReferenceLog(byte[] bytes)
    {
        // First byte: key length (0-31); then the key; the rest is the value, or a tombstone when nothing is left.
        int keyLength = bytes.Length == 0 ? 0 : Math.Min(bytes[0] & 31, bytes.Length - 1);
        int keyStart = Math.Min(1, bytes.Length);
        byte[] key = bytes[keyStart..(keyStart + keyLength)];
        byte[]? value = keyStart + keyLength >= bytes.Length ? null : bytes[(keyStart + keyLength)..];
        Rejects<FormatException>(() => ReferenceLogCodec.Decode(key, value));
    }

    /// <summary>Runs <paramref name="parse"/>; swallows <typeparamref name="TRejection"/> when it gives a reason, lets
    /// everything else (and a reasonless rejection) through as a finding.</summary>
    public static void Rejects<TRejection>(Action parse)
        where TRejection : Exception
    {
        try
        {
            parse();
        }
        catch (TRejection e) when (!string.IsNullOrWhiteSpace(e.Message))
        {
            // The documented rejection, with a reason.
        }
    }

    private static readonly string Scratch = Path.Combine(Path.GetTempPath(), $"clipguard-fuzz-{Environment.ProcessId}");

    private static void WithFile(byte[] bytes, string extension, Action<string> read)
    {
        Directory.CreateDirectory(Scratch);
        string path = Path.Combine(Scratch, "input" + extension);
        File.WriteAllBytes(path, bytes);
        try
        {
            read(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
