using System.Globalization;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using ClipGuard.Stream.Core.Numerics;

namespace ClipGuard.Stream.Core.IO;

/// <summary>Reads .npy data in bulk: whole spans of bytes reinterpreted in place, converted chunk by chunk if needed.</summary>
internal static class NpyReader
{
    // MemoryMarshal.AsBytes cannot describe more than int.MaxValue bytes, and conversion buffers should stay small.
    private const int MaxChunkBytes = 1 << 30;
    private const int ConversionChunkElements = 1 << 16;

    public static FileStream Open(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw NpyFormatException.For(path, "file not found", e);
        }
    }

    public static NpyHeader ReadHeader(string path)
    {
        using FileStream stream = Open(path);
        return NpyHeaderReader.Read(stream, path);
    }

    public static Matrix<T> ReadMatrix<T>(string path)
        where T : unmanaged, IBinaryFloatingPointIeee754<T> => Read(path, (stream, header, type) =>
    {
        RequireFloat(header, type, path);
        CheckLayout(header, path);
        if (header.Shape.Count != 2)
        {
            throw NpyFormatException.For(path, $"expected a 2-D array (rows, dims), got shape {NpyText.Shape(header.Shape)}");
        }

        if (header.Shape[1] == 0)
        {
            throw NpyFormatException.For(path, $"expected at least one column, got shape {NpyText.Shape(header.Shape)}");
        }

        // Every element is overwritten from the file, so zeroing the (possibly huge) array first is wasted work.
        T[] data = GC.AllocateUninitializedArray<T>(ElementCount(header, path));
        ReadData(stream, header, type, data.AsSpan(), path);
        return new Matrix<T>((int)header.Shape[0], (int)header.Shape[1], data);
    });

    public static double[] ReadVector(string path) => Read(path, (stream, header, type) =>
    {
        RequireFloat(header, type, path);
        CheckLayout(header, path);
        CheckColumn(header, path);
        double[] data = GC.AllocateUninitializedArray<double>(ElementCount(header, path));
        ReadData(stream, header, type, data.AsSpan(), path);
        return data;
    });

    public static int[] ReadLabels(string path) => Read(path, (stream, header, type) =>
    {
        CheckLayout(header, path);
        CheckColumn(header, path);

        // Every supported dtype widens to double without turning a non-0/1 value into 0 or 1.
        var raw = new double[ElementCount(header, path)];
        ReadData(stream, header, type, raw.AsSpan(), path);
        var labels = new int[raw.Length];
        for (int i = 0; i < raw.Length; i++)
        {
            labels[i] = raw[i] switch
            {
                0.0 => 0,
                1.0 => 1,
                _ => throw NpyFormatException.For(path, $"label at index {i.ToString(CultureInfo.InvariantCulture)} is {raw[i].ToString("R", CultureInfo.InvariantCulture)}; labels must be 0 or 1"),
            };
        }

        return labels;
    });

    public static int[,] ReadIndexMatrix(string path) => Read(path, (stream, header, type) =>
    {
        if (NpyDtype.IsFloatingPoint(type) || type == NpyElementType.Bool)
        {
            throw NpyFormatException.For(path, $"unsupported dtype {NpyText.Quote(header.Descr)}; expected an integer dtype");
        }

        CheckLayout(header, path);
        if (header.Shape.Count != 2)
        {
            throw NpyFormatException.For(path, $"expected a 2-D array, got shape {NpyText.Shape(header.Shape)}");
        }

        var raw = new long[ElementCount(header, path)];
        ReadData(stream, header, type, raw.AsSpan(), path);
        int rows = (int)header.Shape[0];
        int cols = (int)header.Shape[1];
        var result = new int[rows, cols];
        for (int i = 0; i < raw.Length; i++)
        {
            result[i / cols, i % cols] = raw[i] is >= int.MinValue and <= int.MaxValue
                ? (int)raw[i]
                : throw NpyFormatException.For(path, $"value {raw[i].ToString(CultureInfo.InvariantCulture)} at flat index {i.ToString(CultureInfo.InvariantCulture)} does not fit an int");
        }

        return result;
    });

    /// <summary>Opens path, reads its header and resolves the dtype, then hands the positioned stream to body.</summary>
    private static TResult Read<TResult>(string path, Func<FileStream, NpyHeader, NpyElementType, TResult> body)
    {
        using FileStream stream = Open(path);
        NpyHeader header = NpyHeaderReader.Read(stream, path);
        return body(stream, header, ElementType(header, path));
    }

    private static void RequireFloat(NpyHeader header, NpyElementType type, string path)
    {
        if (!NpyDtype.IsFloatingPoint(type))
        {
            throw NpyFormatException.For(path, $"unsupported dtype {NpyText.Quote(header.Descr)}; expected float16, float32 or float64 ('<f2', '<f4', '<f8')");
        }
    }

    private static NpyElementType ElementType(NpyHeader header, string path) =>
        NpyDtype.TryParse(header.Descr, out NpyElementType type, out string problem)
            ? type
            : throw NpyFormatException.For(path, problem);

    private static void CheckLayout(NpyHeader header, string path)
    {
        // A Fortran-ordered 2-D file holds columns, not rows; silently transposing would hide a caller's mistake.
        if (header.FortranOrder && header.Shape.Count(d => d > 1) > 1)
        {
            throw NpyFormatException.For(path, "fortran_order=True is not supported; save a C-ordered array (np.ascontiguousarray)");
        }
    }

    private static void CheckColumn(NpyHeader header, string path)
    {
        bool column = header.Shape.Count == 1 || (header.Shape.Count == 2 && header.Shape[1] == 1);
        if (!column)
        {
            throw NpyFormatException.For(path, $"expected a 1-D array (n,) or (n, 1), got shape {NpyText.Shape(header.Shape)}");
        }
    }

    private static int ElementCount(NpyHeader header, string path)
    {
        long count;
        try
        {
            count = header.ElementCount;
        }
        catch (OverflowException e)
        {
            throw NpyFormatException.For(path, $"shape {NpyText.Shape(header.Shape)} overflows", e);
        }

        return count <= Array.MaxLength && header.Shape.All(d => d <= int.MaxValue)
            ? (int)count
            : throw NpyFormatException.For(path, $"shape {NpyText.Shape(header.Shape)} is too large to load");
    }

    private static void ReadData<TDst>(FileStream stream, NpyHeader header, NpyElementType type, Span<TDst> destination, string path)
        where TDst : unmanaged, INumberBase<TDst>
    {
        long expected = (long)destination.Length * NpyDtype.SizeOf(type);
        long available = stream.Length - header.DataOffset;
        if (available < expected)
        {
            throw NpyFormatException.For(path, $"truncated data: shape {NpyText.Shape(header.Shape)} of {NpyText.Quote(header.Descr)} needs {expected.ToString(CultureInfo.InvariantCulture)} bytes, file has {available.ToString(CultureInfo.InvariantCulture)}");
        }

        if (available > expected)
        {
            throw NpyFormatException.For(path, $"{(available - expected).ToString(CultureInfo.InvariantCulture)} unexpected bytes after the data of shape {NpyText.Shape(header.Shape)}");
        }

        try
        {
            switch (type)
            {
                case NpyElementType.Bool or NpyElementType.UInt8: Convert<byte, TDst>(stream, destination); break;
                case NpyElementType.Int8: Convert<sbyte, TDst>(stream, destination); break;
                case NpyElementType.Int16: Convert<short, TDst>(stream, destination); break;
                case NpyElementType.Int32: Convert<int, TDst>(stream, destination); break;
                case NpyElementType.Int64: Convert<long, TDst>(stream, destination); break;
                case NpyElementType.Float16: Convert<Half, TDst>(stream, destination); break;
                case NpyElementType.Float32: Convert<float, TDst>(stream, destination); break;
                case NpyElementType.Float64: Convert<double, TDst>(stream, destination); break;
                default: throw new ArgumentOutOfRangeException(nameof(type), type, null);
            }
        }
        catch (EndOfStreamException e)
        {
            // The length check passed, so the file shrank while being read.
            throw NpyFormatException.For(path, "truncated data (file changed while reading)", e);
        }
    }

    private static void Convert<TSrc, TDst>(FileStream stream, Span<TDst> destination)
        where TSrc : unmanaged, INumberBase<TSrc>
        where TDst : unmanaged, INumberBase<TDst>
    {
        if (typeof(TSrc) == typeof(TDst))
        {
            ReadExactly(stream, MemoryMarshal.Cast<TDst, TSrc>(destination));
            return;
        }

        var buffer = new TSrc[Math.Min(ConversionChunkElements, destination.Length)];
        for (int start = 0; start < destination.Length; start += buffer.Length)
        {
            int n = Math.Min(buffer.Length, destination.Length - start);
            ReadExactly(stream, buffer.AsSpan(0, n));
            TensorPrimitives.ConvertTruncating<TSrc, TDst>(buffer.AsSpan(0, n), destination.Slice(start, n));
        }
    }

    private static void ReadExactly<T>(FileStream stream, Span<T> destination)
        where T : unmanaged
    {
        int chunk = MaxChunkBytes / System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        for (int start = 0; start < destination.Length; start += chunk)
        {
            stream.ReadExactly(MemoryMarshal.AsBytes(destination.Slice(start, Math.Min(chunk, destination.Length - start))));
        }
    }
}
