using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using Xunit;

namespace ClipGuard.Stream.Core.Tests.IO;

public sealed class NpyTests : IDisposable
{
    // The values make_fixtures.py wrote; float32 ones go through double first, as NumPy converted them.
    private static readonly double[] F16 = [0.0, 1.0, -2.5, 65504.0, 6.103515625e-05, 5.960464477539063e-08, 0.333251953125, -0.0];
    private static readonly float[] F32 = [(float)0.1, -1.5f, (float)3.0e38, (float)1.0e-40, 2.0f, -0.0f, (float)123.456, 7.0f, -8.25f];
    private static readonly double[] F64 = [Math.PI, -1.0e-300, 2.5, 1.0e300, -0.0, 4.0];

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("npy-tests-");

    public void Dispose() => _temp.Delete(recursive: true);

    [Fact]
    public void Float16_written_by_numpy_reads_exactly()
    {
        Matrix<double> m = Npy.ReadMatrixDouble(Npy_("f2_2x4.npy"));

        Assert.Equal((2, 4), (m.Rows, m.Cols));
        AssertBitwiseEqual(F16, m.Data);
        AssertBitwiseEqual(F16.Select(v => (float)v).ToArray(), Npy.ReadMatrixSingle(Npy_("f2_2x4.npy")).Data);
    }

    [Theory]
    [InlineData("f4_3x3.npy", 1)]
    [InlineData("f4_3x3_v2.npy", 2)]
    [InlineData("f4_3x3_v3.npy", 3)]
    public void Float32_reads_exactly_in_every_format_version(string file, int version)
    {
        Matrix<float> single = Npy.ReadMatrixSingle(Npy_(file));
        Matrix<double> widened = Npy.ReadMatrixDouble(Npy_(file));

        Assert.Equal(version, Npy.ReadHeader(Npy_(file)).MajorVersion);
        Assert.Equal((3, 3), (single.Rows, single.Cols));
        AssertBitwiseEqual(F32, single.Data);
        AssertBitwiseEqual(F32.Select(v => (double)v).ToArray(), widened.Data);
    }

    [Fact]
    public void Float64_reads_exactly_and_narrows_to_nearest_float()
    {
        Matrix<double> m = Npy.ReadMatrixDouble(Npy_("f8_2x3.npy"));

        Assert.Equal((2, 3), (m.Rows, m.Cols));
        AssertBitwiseEqual(F64, m.Data);
        Assert.Equal(F64[3..], m.Row(1).ToArray());
        AssertBitwiseEqual(F64.Select(v => (float)v).ToArray(), Npy.ReadMatrixSingle(Npy_("f8_2x3.npy")).Data);
    }

    [Fact]
    public void Header_reports_dtype_order_shape_and_aligned_data_offset()
    {
        NpyHeader h = Npy.ReadHeader(Npy_("f4_3x3.npy"));

        Assert.Equal(("<f4", false, 1, 0), (h.Descr, h.FortranOrder, h.MajorVersion, h.MinorVersion));
        Assert.Equal([3L, 3L], h.Shape);
        Assert.Equal(9, h.ElementCount);
        Assert.Equal(0, h.DataOffset % 64);
        Assert.True(Npy.ReadHeader(Npy_("fortran_f8.npy")).FortranOrder);
        Assert.Equal([2L, 3L, 4L], Npy.ReadHeader(Npy_("f8_3d.npy")).Shape);
    }

    [Fact]
    public void Non_finite_values_pass_through_for_the_caller_to_judge()
    {
        Matrix<double> m = Npy.ReadMatrixDouble(Npy_("f8_nonfinite.npy"));

        Assert.True(double.IsNaN(m.Data[1]));
        Assert.Equal([double.PositiveInfinity, double.NegativeInfinity], m.Row(1).ToArray());
        Assert.Equal(0, m.FirstNonFiniteRow());
    }

    [Fact]
    public void Zero_rows_is_an_empty_matrix()
    {
        Matrix<float> m = Npy.ReadMatrixSingle(Npy_("f4_empty_0x5.npy"));

        Assert.Equal((0, 5), (m.Rows, m.Cols));
    }

    public static TheoryData<string, string> BadMatrixFiles => new()
    {
        { "does_not_exist.npy", "file not found" },
        { "not_npy.npy", "not a NumPy .npy file (bad magic)" },
        { "i4_2x3.npy", "unsupported dtype '<i4'" },
        { "be_f4_2x2.npy", "big-endian dtype '>f4'" },
        { "object.npy", "unsupported dtype '|O'" },
        { "f8_1d.npy", "expected a 2-D array (rows, dims), got shape (5,)" },
        { "f8_3d.npy", "expected a 2-D array (rows, dims), got shape (2, 3, 4)" },
        { "fortran_f8.npy", "fortran_order=True is not supported" },
        { "truncated_f4.npy", "truncated data: shape (3, 3) of '<f4' needs 36 bytes, file has 31" },
    };

    [Theory]
    [MemberData(nameof(BadMatrixFiles))]
    public void Unusable_matrix_files_fail_with_one_line_naming_file_and_problem(string file, string problem)
    {
        string path = Npy_(file);

        foreach (Action read in new Action[] { () => Npy.ReadMatrixDouble(path), () => Npy.ReadMatrixSingle(path) })
        {
            var e = Assert.Throws<NpyFormatException>(read);
            Assert.StartsWith(path + ": ", e.Message, StringComparison.Ordinal);
            Assert.Contains(problem, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        }
    }

    [Theory]
    [InlineData("=f8")]
    [InlineData("|f8")]
    [InlineData("<f8")]
    public void Native_and_not_applicable_byte_order_marks_read_as_little_endian(string descr)
    {
        string path = WriteRaw("marks.npy", NpyWriter.Header(descr, [1, 2]), BitConverter.GetBytes(1.5), BitConverter.GetBytes(-2.0));

        Assert.Equal([1.5, -2.0], Npy.ReadMatrixDouble(path).Data);
    }

    [Fact]
    public void Trailing_bytes_after_the_data_are_rejected()
    {
        string path = WriteRaw("long.npy", NpyWriter.Header("<f8", [1, 1]), BitConverter.GetBytes(1.0), [0]);

        var e = Assert.Throws<NpyFormatException>(() => Npy.ReadMatrixDouble(path));
        Assert.Contains("1 unexpected bytes after the data", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Python2_long_literals_and_double_quotes_in_the_header_are_accepted()
    {
        byte[] header = RawHeader("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (1L, 2L)}\n");
        string path = WriteRaw("py2.npy", header, BitConverter.GetBytes(0.5f), BitConverter.GetBytes(3f));

        Assert.Equal([0.5f, 3f], Npy.ReadMatrixSingle(path).Data);
    }

    [Fact]
    public void Malformed_header_is_reported()
    {
        string path = WriteRaw("bad_header.npy", RawHeader("{'descr': '<f4'\n"));

        var e = Assert.Throws<NpyFormatException>(() => Npy.ReadHeader(path));
        Assert.Contains("malformed header dict", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("labels_b1.npy")]
    [InlineData("labels_i1.npy")]
    [InlineData("labels_u1.npy")]
    [InlineData("labels_i2.npy")]
    [InlineData("labels_i4.npy")]
    [InlineData("labels_i8.npy")]
    [InlineData("labels_f4.npy")]
    [InlineData("labels_f8.npy")]
    [InlineData("labels_i8_column.npy")]
    public void Labels_read_from_every_supported_dtype(string file)
    {
        Assert.Equal([0, 1, 1, 0, 1, 0, 0], Npy.ReadLabels(Npy_(file)));
    }

    [Theory]
    [InlineData("labels_invalid_2.npy", "label at index 3 is 2; labels must be 0 or 1")]
    [InlineData("labels_invalid_half.npy", "label at index 2 is 0.5")]
    [InlineData("labels_2d.npy", "expected a 1-D array (n,) or (n, 1), got shape (3, 2)")]
    [InlineData("f2_2x4.npy", "got shape (2, 4)")]
    [InlineData("object.npy", "unsupported dtype '|O'")]
    public void Bad_labels_name_the_offending_value_or_shape(string file, string problem)
    {
        var e = Assert.Throws<NpyFormatException>(() => Npy.ReadLabels(Npy_(file)));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.Contains(file, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Double_matrix_round_trips_bit_for_bit()
    {
        var rng = new Random(5);
        var m = new Matrix<double>(7, 3, Enumerable.Range(0, 21).Select(_ => rng.NextDouble() - 0.5).ToArray());
        m.Data[4] = double.NaN;
        string path = Temp("d.npy");

        Npy.Write(path, m);
        Matrix<double> back = Npy.ReadMatrixDouble(path);

        Assert.Equal(("<f8", 7, 3), (Npy.ReadHeader(path).Descr, back.Rows, back.Cols));
        AssertBitwiseEqual(m.Data, back.Data);
        Assert.Equal(0, new FileInfo(path).Length % 8);
    }

    [Fact]
    public void Float_and_half_matrices_round_trip_with_their_own_dtype()
    {
        var f = new Matrix<float>(2, 2, [1.25f, -0f, float.MaxValue, float.Epsilon]);
        var h = new Matrix<Half>(1, 3, [(Half)0.333f, Half.MaxValue, Half.Epsilon]);

        Npy.Write(Temp("f.npy"), f);
        Npy.Write(Temp("h.npy"), h);

        Assert.Equal("<f4", Npy.ReadHeader(Temp("f.npy")).Descr);
        AssertBitwiseEqual(f.Data, Npy.ReadMatrixSingle(Temp("f.npy")).Data);
        Assert.Equal("<f2", Npy.ReadHeader(Temp("h.npy")).Descr);
        AssertBitwiseEqual(h.Data.Select(v => (double)v).ToArray(), Npy.ReadMatrixDouble(Temp("h.npy")).Data);
    }

    [Fact]
    public void Vectors_and_labels_round_trip()
    {
        double[] v = [0.5, -1e-310, double.PositiveInfinity, 3];
        int[] labels = [1, 0, 0, 1, 1];

        Npy.WriteVector(Temp("v.npy"), v);
        Npy.WriteLabels(Temp("l.npy"), labels);

        Assert.Equal([4L], Npy.ReadHeader(Temp("v.npy")).Shape);
        AssertBitwiseEqual(v, Npy.ReadVector(Temp("v.npy")));
        Assert.Equal("|u1", Npy.ReadHeader(Temp("l.npy")).Descr);
        Assert.Equal(labels, Npy.ReadLabels(Temp("l.npy")));
    }

    [Fact]
    public void Writing_replaces_an_existing_file_and_leaves_no_temporary_behind()
    {
        string path = Temp("replace.npy");
        File.WriteAllText(path, "old contents");

        Npy.WriteVector(path, [1, 2, 3]);

        Assert.Equal([1.0, 2.0, 3.0], Npy.ReadVector(path));
        Assert.Equal(["replace.npy"], _temp.GetFiles().Select(fi => fi.Name));
    }

    [Fact]
    public void Labels_other_than_zero_or_one_are_not_written()
    {
        var e = Assert.Throws<ArgumentException>(() => Npy.WriteLabels(Temp("bad.npy"), [0, 1, 3]));

        Assert.Contains("index 2 is 3", e.Message, StringComparison.Ordinal);
        Assert.Empty(_temp.GetFiles());
    }

    [Fact]
    public void Lof_fixture_indices_and_vectors_read_consistently()
    {
        // The k-NN file and the kd vector come from one computation: kd is the last neighbour distance.
        Matrix<double> knnDist = Npy.ReadMatrixDouble(Fixture.Path("lof", "euclidean_k5", "novelty_knn_dist.npy"));
        double[] kd = Npy.ReadVector(Fixture.Path("lof", "euclidean_k5", "novelty_kd.npy"));
        int[,] knn = Npy.ReadIndexMatrix(Fixture.Path("lof", "euclidean_k5", "novelty_knn.npy"));

        Assert.Equal((80, 5), (knn.GetLength(0), knn.GetLength(1)));
        Assert.Equal(Enumerable.Range(0, 80).Select(i => knnDist.Row(i)[4]), kd);
        Assert.Equal((13, 162), (knn[79, 0], knn[79, 1]));
        Assert.Contains("expected an integer dtype", Assert.Throws<NpyFormatException>(() => Npy.ReadIndexMatrix(Npy_("f8_2x3.npy"))).Message, StringComparison.Ordinal);
    }

    private static string Npy_(string file) => Fixture.Path("npy", file);

    private string Temp(string file) => Path.Combine(_temp.FullName, file);

    private string WriteRaw(string file, params byte[][] parts)
    {
        string path = Temp(file);
        File.WriteAllBytes(path, parts.SelectMany(p => p).ToArray());
        return path;
    }

    /// <summary>A version 1.0 prefix around header text as given, unlike NpyWriter.Header's canonical one.</summary>
    private static byte[] RawHeader(string text) =>
        [0x93, .. "NUMPY"u8, 1, 0, (byte)text.Length, 0, .. System.Text.Encoding.ASCII.GetBytes(text)];

    private static void AssertBitwiseEqual(double[] expected, double[] actual) =>
        Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));

    private static void AssertBitwiseEqual(float[] expected, float[] actual) =>
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), actual.Select(BitConverter.SingleToInt32Bits));
}
