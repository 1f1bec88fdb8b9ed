using System.Text;
using ClipGuard.Stream.Cli.Input;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Cli.Tests.Input;

public sealed class EmbeddingMatrixReaderTests : IDisposable
{
    private readonly string scratch = Directory.CreateTempSubdirectory("clipguard-npy-").FullName;

    [Fact]
    public void Reads_a_float32_matrix_written_in_numpy_layout()
    {
        string path = Path.Combine(scratch, "m.npy");
        float[] data = [1.5f, -2f, 3.25f, float.Epsilon, -0.0f, 1e30f];
        NpyTestFile.WriteFloat32(path, 3, 2, data);

        Matrix<float> m = EmbeddingMatrixReader.Read(path);

        Assert.Equal((3, 2), (m.Rows, m.Cols));
        Assert.Equal(data.Select(BitConverter.SingleToInt32Bits), m.Data.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [InlineData("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", "float32")]
    [InlineData("{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }", "float32")]
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", "C-order")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2, 2), }", "2-D")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", "2-D")]
    public void Rejects_arrays_it_cannot_read(string header, string expected)
    {
        string path = Path.Combine(scratch, "bad.npy");
        byte[] headerBytes = Encoding.ASCII.GetBytes(header + "\n");
        File.WriteAllBytes(path, [0x93, .. "NUMPY"u8, 1, 0, (byte)headerBytes.Length, 0, .. headerBytes, .. new byte[64]]);

        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => EmbeddingMatrixReader.Read(path));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_file_that_is_not_npy_or_is_truncated()
    {
        string text = Path.Combine(scratch, "t.npy");
        File.WriteAllText(text, "hello, not numpy");
        string truncated = Path.Combine(scratch, "short.npy");
        NpyTestFile.WriteFloat32(truncated, 4, 4, new float[16]);
        byte[] bytes = File.ReadAllBytes(truncated);
        File.WriteAllBytes(truncated, bytes[..^8]);

        Assert.Throws<InvalidDataException>(() => EmbeddingMatrixReader.Read(text));
        Assert.Throws<EndOfStreamException>(() => EmbeddingMatrixReader.Read(truncated));
    }

    public void Dispose() => Directory.Delete(scratch, recursive: true);
}
