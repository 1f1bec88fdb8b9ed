using System.Runtime.InteropServices;
using System.Text;

namespace ClipGuard.Stream.Kafka.Replication;

/// <summary>
/// The wire format of the replicated reference log. Key: the sample id in UTF-8. Value: null for a tombstone (what
/// log compaction understands as "forget this key"), otherwise "CGRL", a format byte, an op byte, then the proposer,
/// and for offers the source and the float32 embedding (little-endian). Recalibration records share one control key,
/// so compaction keeps only the newest.
/// </summary>
public static class ReferenceLogCodec
{
    public const string RecalibrateKey = "clipguard-control:recalibrate";
    private const byte FormatVersion = 1;
    private static readonly byte[] Magic = "CGRL"u8.ToArray();

    public static byte[] Key(string sampleId) => Encoding.UTF8.GetBytes(sampleId);

    public static byte[] Offer(string proposer, string? source, float[] embedding) =>
        Write(ReferenceLogOp.Offer, proposer, w =>
        {
            w.Write(source is not null);
            w.Write(source ?? string.Empty);
            w.Write(embedding.Length);
            w.Write(MemoryMarshal.AsBytes(embedding.AsSpan()));
        });

    public static byte[] Recalibrate(string proposer) => Write(ReferenceLogOp.Recalibrate, proposer, _ => { });

    /// <summary>Decodes a record; throws <see cref="FormatException"/> naming what is wrong.</summary>
    public static ReferenceLogRecord Decode(ReadOnlySpan<byte> key, byte[]? value)
    {
        string id = Encoding.UTF8.GetString(key);
        if (value is null)
        {
            return new ReferenceLogRecord(ReferenceLogOp.Revoke, id, null, null, null);
        }

        if (value.Length < Magic.Length + 2 || !value.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new FormatException($"reference log record '{id}' does not start with CGRL");
        }

        if (value[Magic.Length] != FormatVersion)
        {
            throw new FormatException($"reference log record '{id}' has format {value[Magic.Length]}, this build reads {FormatVersion}");
        }

        try
        {
            using var r = new BinaryReader(new MemoryStream(value, Magic.Length + 2, value.Length - Magic.Length - 2), Encoding.UTF8);
            var op = (ReferenceLogOp)value[Magic.Length + 1];
            string proposer = r.ReadString();
            switch (op)
            {
                case ReferenceLogOp.Recalibrate:
                    return new ReferenceLogRecord(op, id, proposer, null, null);
                case ReferenceLogOp.Offer:
                    bool hasSource = r.ReadBoolean();
                    string source = r.ReadString();
                    int d = r.ReadInt32();
                    if (d < 0 || (long)d * sizeof(float) != r.BaseStream.Length - r.BaseStream.Position)
                    {
                        throw new FormatException($"reference log record '{id}' claims {d} floats in {r.BaseStream.Length - r.BaseStream.Position} bytes");
                    }

                    var embedding = new float[d];
                    r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(embedding.AsSpan()));
                    return new ReferenceLogRecord(op, id, proposer, hasSource ? source : null, embedding);
                default:
                    throw new FormatException($"reference log record '{id}' has unknown op {(int)op}");
            }
        }
        catch (EndOfStreamException e)
        {
            throw new FormatException($"reference log record '{id}' is truncated", e);
        }
        catch (IOException e)
        {
            // BinaryReader reports a negative or absurd string length prefix as an IOException (found by fuzzing).
            throw new FormatException($"reference log record '{id}' is malformed: {e.Message}", e);
        }
    }

    private static byte[] Write(ReferenceLogOp op, string proposer, Action<BinaryWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(FormatVersion);
            w.Write((byte)op);
            w.Write(proposer);
            body(w);
        }

        return stream.ToArray();
    }
}
