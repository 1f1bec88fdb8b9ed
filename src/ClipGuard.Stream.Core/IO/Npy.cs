using System.Numerics;
using ClipGuard.Stream.Core.Numerics;

namespace ClipGuard.Stream.Core.IO;

/// <summary>Reads and writes NumPy .npy files: embeddings, score vectors and 0/1 labels.</summary>
/// <remarks>
/// Readers accept format versions 1.0, 2.0 and 3.0 and little-endian data only. Non-finite values pass through
/// unchecked: callers decide what a NaN means (<see cref="Matrix{T}.FirstNonFiniteRow"/>).
/// Every problem with a file is an <see cref="NpyFormatException"/> whose message names the file.
/// </remarks>
public static class Npy
{
    /// <summary>The header of a .npy file, without reading its data or judging its dtype.</summary>
    public static NpyHeader ReadHeader(string path)
    {
        EnsureLittleEndianHost();
        return NpyReader.ReadHeader(path);
    }

    /// <summary>A 2-D C-ordered float16/32/64 array as doubles (float16 and float32 widen exactly).</summary>
    public static Matrix<double> ReadMatrixDouble(string path)
    {
        EnsureLittleEndianHost();
        return NpyReader.ReadMatrix<double>(path);
    }

    /// <summary>A 2-D C-ordered float16/32/64 array as floats (float64 rounds to nearest).</summary>
    public static Matrix<float> ReadMatrixSingle(string path)
    {
        EnsureLittleEndianHost();
        return NpyReader.ReadMatrix<float>(path);
    }

    /// <summary>A float16/32/64 array of shape (n,) or (n, 1) as doubles, e.g. a score vector.</summary>
    public static double[] ReadVector(string path)
    {
        EnsureLittleEndianHost();
        return NpyReader.ReadVector(path);
    }

    /// <summary>
    /// 0/1 labels of shape (n,) or (n, 1) stored as bool, int8, uint8, int16, int32, int64, float32 or float64;
    /// any other value is rejected with its index.
    /// </summary>
    public static int[] ReadLabels(string path)
    {
        EnsureLittleEndianHost();
        return NpyReader.ReadLabels(path);
    }

    /// <summary>A 2-D integer array (e.g. neighbour indices) whose values fit an int.</summary>
    public static int[,] ReadIndexMatrix(string path)
    {
        EnsureLittleEndianHost();
        return NpyReader.ReadIndexMatrix(path);
    }

    /// <summary>Writes m as '&lt;f4', '&lt;f8' or '&lt;f2' (matching T), shape (rows, cols), format 1.0.</summary>
    /// <exception cref="NotSupportedException">T is not float, double or Half.</exception>
    public static void Write<T>(string path, Matrix<T> m)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(m);
        EnsureLittleEndianHost();
        string descr = typeof(T) == typeof(double) ? "<f8"
            : typeof(T) == typeof(float) ? "<f4"
            : typeof(T) == typeof(Half) ? "<f2"
            : throw new NotSupportedException($"no .npy dtype for {typeof(T).Name}");
        NpyWriter.Write<T>(path, descr, [m.Rows, m.Cols], m.Data);
    }

    /// <summary>Writes v as '&lt;f8' of shape (n,).</summary>
    public static void WriteVector(string path, double[] v)
    {
        ArgumentNullException.ThrowIfNull(v);
        EnsureLittleEndianHost();
        NpyWriter.Write<double>(path, "<f8", [v.Length], v);
    }

    /// <summary>Writes 0/1 labels as '|u1' of shape (n,).</summary>
    /// <exception cref="ArgumentException">A label is neither 0 nor 1.</exception>
    public static void WriteLabels(string path, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        EnsureLittleEndianHost();
        var bytes = new byte[labels.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            bytes[i] = labels[i] is 0 or 1
                ? (byte)labels[i]
                : throw new ArgumentException($"label at index {i} is {labels[i]}; labels must be 0 or 1", nameof(labels));
        }

        NpyWriter.Write<byte>(path, "|u1", [labels.Length], bytes);
    }

    // The readers reinterpret file bytes in place and treat '=' (native) as little-endian.
    private static void EnsureLittleEndianHost()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException(".npy I/O supports little-endian hosts only");
        }
    }
}
