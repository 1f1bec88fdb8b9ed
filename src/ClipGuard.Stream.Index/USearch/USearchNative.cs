using System.Runtime.InteropServices;

namespace ClipGuard.Stream.Index.USearch;

/// <summary>
/// P/Invoke surface of USearch's C API (c/usearch.h), served by the native library inside the Cloud.Unum.USearch
/// package. Its C# wrapper hides the search expansion and the thread limits, so the index calls the library directly.
/// Every call reports failure through a trailing <c>usearch_error_t*</c>: a static message the caller must not free.
/// </summary>
internal static unsafe partial class USearchNative
{
    public const string Library = "libusearch_c";

    /// <summary>usearch_metric_kind_t: squared Euclidean distance.</summary>
    public const int MetricL2Squared = 3;

    /// <summary>usearch_scalar_kind_t of the float32 rows the index is handed.</summary>
    public const int ScalarF32 = 1;

    [LibraryImport(Library, EntryPoint = "usearch_init")]
    public static partial IntPtr Init(InitOptions* options, ref IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_free")]
    public static partial void Free(IntPtr index, ref IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_save", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void Save(USearchIndexHandle index, string path, ref IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_load", StringMarshalling = StringMarshalling.Utf8)]
    public static partial void Load(USearchIndexHandle index, string path, ref IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_size")]
    public static partial nuint Size(USearchIndexHandle index, ref IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_capacity")]
    public static partial nuint Capacity(USearchIndexHandle index, ref IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_dimensions")]
    public static partial nuint Dimensions(USearchIndexHandle index, ref IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_reserve")]
    public static partial void Reserve(USearchIndexHandle index, nuint capacity, ref IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_change_expansion_search")]
    public static partial void ChangeExpansionSearch(USearchIndexHandle index, nuint expansion, ref IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_change_threads_add")]
    public static partial void ChangeThreadsAdd(USearchIndexHandle index, nuint threads, ref IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_change_threads_search")]
    public static partial void ChangeThreadsSearch(USearchIndexHandle index, nuint threads, ref IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_add")]
    public static partial void Add(USearchIndexHandle index, ulong key, float* vector, int vectorKind, ref IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_remove")]
    public static partial nuint Remove(USearchIndexHandle index, ulong key, ref IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_search")]
    public static partial nuint Search(USearchIndexHandle index, float* query, int queryKind, nuint count, ulong* keys, float* distances, ref IntPtr error);

    [LibraryImport(Library, EntryPoint = "usearch_hardware_acceleration")]
    private static partial IntPtr HardwareAcceleration(USearchIndexHandle index, ref IntPtr error);

    /// <summary>The SIMD code path USearch picked on this CPU for the index's metric and storage (for reports).</summary>
    public static string Acceleration(USearchIndexHandle index)
    {
        IntPtr error = IntPtr.Zero;
        IntPtr name = HardwareAcceleration(index, ref error);
        Check(error, "hardware_acceleration");
        return Marshal.PtrToStringUTF8(name) ?? "unknown";
    }

    /// <summary>Turns a set error pointer into a <see cref="KnnIndexException"/> naming the operation and USearch's text.</summary>
    public static void Check(IntPtr error, string operation)
    {
        if (error != IntPtr.Zero)
        {
            throw new KnnIndexException($"USearch {operation} failed: {Marshal.PtrToStringUTF8(error)}");
        }
    }

    /// <summary>usearch_init_options_t, field for field.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct InitOptions
    {
        public int MetricKind;
        public IntPtr Metric;
        public int Quantization;
        public nuint Dimensions;
        public nuint Connectivity;
        public nuint ExpansionAdd;
        public nuint ExpansionSearch;
        [MarshalAs(UnmanagedType.U1)]
        public bool Multi;
    }
}
