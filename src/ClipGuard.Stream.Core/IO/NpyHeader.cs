namespace ClipGuard.Stream.Core.IO;

/// <summary>What a .npy file's header says about the array that follows it.</summary>
public sealed class NpyHeader
{
    internal NpyHeader(int majorVersion, int minorVersion, string descr, bool fortranOrder, long[] shape, long dataOffset)
    {
        MajorVersion = majorVersion;
        MinorVersion = minorVersion;
        Descr = descr;
        FortranOrder = fortranOrder;
        Shape = shape;
        DataOffset = dataOffset;
    }

    /// <summary>Format version: 1, 2 or 3 (the major part).</summary>
    public int MajorVersion { get; }

    public int MinorVersion { get; }

    /// <summary>The dtype as NumPy's descr string, e.g. "&lt;f4". Structured dtypes are rejected, so always a string.</summary>
    public string Descr { get; }

    public bool FortranOrder { get; }

    public IReadOnlyList<long> Shape { get; }

    /// <summary>Byte offset of the first element from the start of the file.</summary>
    public long DataOffset { get; }

    /// <summary>Product of the shape (1 for a 0-d array).</summary>
    public long ElementCount
    {
        get
        {
            long n = 1;
            foreach (long d in Shape)
            {
                n = checked(n * d);
            }

            return n;
        }
    }
}
