using System.Numerics;

namespace ClipGuard.Stream.Core.Numerics;

/// <summary>A dense row-major matrix of embeddings: one row per sample.</summary>
public sealed class Matrix<T>
    where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    public Matrix(int rows, int cols)
        : this(rows, cols, new T[checked(rows * cols)])
    {
    }

    public Matrix(int rows, int cols, T[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(cols);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != (long)rows * cols)
        {
            throw new ArgumentException($"data has {data.Length} elements, expected {rows} x {cols}", nameof(data));
        }

        Rows = rows;
        Cols = cols;
        Data = data;
    }

    public int Rows { get; }

    public int Cols { get; }

    public T[] Data { get; }

    public Span<T> Row(int i) => Data.AsSpan(i * Cols, Cols);

    public ReadOnlySpan<T> RowReadOnly(int i) => Data.AsSpan(i * Cols, Cols);

    /// <summary>Index of the first row holding a NaN or an infinity, or -1.</summary>
    public int FirstNonFiniteRow()
    {
        for (int i = 0; i < Rows; i++)
        {
            foreach (T v in RowReadOnly(i))
            {
                if (!T.IsFinite(v))
                {
                    return i;
                }
            }
        }

        return -1;
    }

    /// <summary>A new matrix of the given rows, in that order.</summary>
    public Matrix<T> SelectRows(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var result = new Matrix<T>(rows.Count, Cols);
        for (int j = 0; j < rows.Count; j++)
        {
            RowReadOnly(rows[j]).CopyTo(result.Row(j));
        }

        return result;
    }

    public Matrix<TOut> Convert<TOut>()
        where TOut : unmanaged, IBinaryFloatingPointIeee754<TOut>
    {
        var result = new TOut[Data.Length];
        for (int i = 0; i < Data.Length; i++)
        {
            result[i] = TOut.CreateTruncating(Data[i]);
        }

        return new Matrix<TOut>(Rows, Cols, result);
    }
}
