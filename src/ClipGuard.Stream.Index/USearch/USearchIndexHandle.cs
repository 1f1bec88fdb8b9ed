using System.Runtime.InteropServices;

namespace ClipGuard.Stream.Index.USearch;

/// <summary>Owns one native USearch index and frees it exactly once.</summary>
internal sealed class USearchIndexHandle : SafeHandle
{
    private USearchIndexHandle(IntPtr pointer)
        : base(IntPtr.Zero, ownsHandle: true) => SetHandle(pointer);

    public override bool IsInvalid => handle == IntPtr.Zero;

    public static unsafe USearchIndexHandle Create(int dimension, VectorStorage storage, int connectivity, int expansionAdd, int expansionSearch)
    {
        var options = new USearchNative.InitOptions
        {
            MetricKind = USearchNative.MetricL2Squared,
            Quantization = ScalarKind(storage),
            Dimensions = (nuint)dimension,
            Connectivity = (nuint)connectivity,
            ExpansionAdd = (nuint)expansionAdd,
            ExpansionSearch = (nuint)expansionSearch,
        };
        IntPtr error = IntPtr.Zero;
        IntPtr pointer = USearchNative.Init(&options, ref error);
        if (error != IntPtr.Zero && pointer != IntPtr.Zero)
        {
            IntPtr ignored = IntPtr.Zero;
            USearchNative.Free(pointer, ref ignored);
        }

        USearchNative.Check(error, "init");
        return pointer == IntPtr.Zero ? throw new KnnIndexException("USearch init returned no index") : new USearchIndexHandle(pointer);
    }

    protected override bool ReleaseHandle()
    {
        IntPtr error = IntPtr.Zero;
        USearchNative.Free(handle, ref error);
        return error == IntPtr.Zero;
    }

    /// <summary>usearch_scalar_kind_t for the element type the index stores.</summary>
    private static int ScalarKind(VectorStorage storage) => storage switch
    {
        VectorStorage.Float32 => 1,
        VectorStorage.Float16 => 3,
        VectorStorage.BFloat16 => 6,
        _ => throw new ArgumentOutOfRangeException(nameof(storage), storage, "unknown vector storage"),
    };
}
