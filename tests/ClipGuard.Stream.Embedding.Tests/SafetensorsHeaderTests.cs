using System.Buffers.Binary;
using System.Text;
using ClipGuard.Stream.Embedding.Checkpoints;
using TorchSharp;
using TorchSharp.PyBridge;

namespace ClipGuard.Stream.Embedding.Tests;

/// <summary>
/// The header check in front of TorchSharp.PyBridge's safetensors reader (fuzzing found a claimed header length that
/// ran it out of memory and entries without fields that threw NullReferenceException): a real file passes, each
/// broken header is a CheckpointException naming its problem, before any tensor is read.
/// </summary>
public sealed class SafetensorsHeaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-safetensors-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_file_written_by_the_library_passes_and_loads()
    {
        string path = Path.Combine(_dir, "ok.safetensors");
        using (var w = torch.arange(6, dtype: torch.float32).reshape(2, 3))
        using (var b = torch.ones(4, dtype: torch.float16))
        {
            Safetensors.SaveStateDict(path, new Dictionary<string, torch.Tensor> { ["w"] = w, ["b"] = b });
        }

        SafetensorsHeader.Validate(path);
        Dictionary<string, torch.Tensor> read = Checkpoint.Read(path);
        Assert.Equal([2L, 3L], read["w"].shape);
        foreach (var t in read.Values)
        {
            t.Dispose();
        }
    }

    [Theory]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 8, null)]
    [InlineData("""{"__metadata__":{"format":"pt"},"w":{"dtype":"I64","shape":[],"data_offsets":[0,8]}}""", 8, null)]
    [InlineData("""[1,2]""", 0, "not an object")]
    [InlineData("""{"w":{"shape":[2],"data_offsets":[0,8]}}""", 8, "no known dtype")]
    [InlineData("""{"w":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}""", 8, "no known dtype")]
    [InlineData("""{"w":{"dtype":"F32","data_offsets":[0,8]}}""", 8, "no shape")]
    [InlineData("""{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8, "non-negative")]
    [InlineData("""{"w":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}""", 8, "overflows")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2]}}""", 8, "data_offsets")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":["0",8]}}""", 8, "data_offsets")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,800]}}""", 8, "outside")]
    [InlineData("""{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8, "needs 3 x 4 bytes")]
    [InlineData("""{"__metadata__":{"n":1}}""", 0, "__metadata__")]
    [InlineData("""{"w":""", 0, "not JSON")]
    public void Each_broken_header_is_named(string header, int dataBytes, string? problem)
    {
        string path = Write(Encoding.UTF8.GetBytes(header), dataBytes);
        if (problem is null)
        {
            SafetensorsHeader.Validate(path);
            return;
        }

        var e = Assert.Throws<CheckpointException>(() => SafetensorsHeader.Validate(path));
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.Throws<CheckpointException>(() => Checkpoint.Read(path));
    }

    [Theory]
    [InlineData(0UL)]
    [InlineData(1UL << 40)]
    [InlineData(ulong.MaxValue)]
    public void A_header_length_the_file_cannot_hold_is_refused_before_allocating(ulong declared)
    {
        string path = Path.Combine(_dir, "len.safetensors");
        var bytes = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, declared);
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<CheckpointException>(() => Checkpoint.Read(path));
        Assert.Contains("header length", e.Message, StringComparison.Ordinal);
    }

    private string Write(byte[] header, int dataBytes)
    {
        string path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".safetensors");
        var bytes = new byte[8 + header.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}
