using System.Runtime.InteropServices;

namespace ClipGuard.Stream.Index.Faiss;

/// <summary>
/// P/Invoke surface of native/faiss_shim: FAISS's upstream C-API names and signatures (idx_t = long). Every call that
/// can fail returns 0 or a negative FaissErrorCode, with the message in <see cref="LastError"/>.
/// </summary>
internal static partial class FaissNative
{
    public const string Library = "clipguard_faiss";

    /// <summary>FaissMetricType: METRIC_INNER_PRODUCT = 0, METRIC_L2 = 1.</summary>
    public const int MetricL2 = 1;

    [LibraryImport(Library, EntryPoint = "faiss_get_last_error")]
    private static partial IntPtr GetLastError();

    [LibraryImport(Library, EntryPoint = "faiss_Index_free")]
    public static partial void IndexFree(IntPtr index);

    [LibraryImport(Library, EntryPoint = "faiss_Index_d")]
    public static partial int IndexDimension(FaissIndexHandle index);

    [LibraryImport(Library, EntryPoint = "faiss_Index_is_trained")]
    public static partial int IndexIsTrained(FaissIndexHandle index);

    [LibraryImport(Library, EntryPoint = "faiss_Index_ntotal")]
    public static partial long IndexTotal(FaissIndexHandle index);

    [LibraryImport(Library, EntryPoint = "faiss_Index_train")]
    public static unsafe partial int IndexTrain(FaissIndexHandle index, long n, float* x);

    [LibraryImport(Library, EntryPoint = "faiss_Index_add_with_ids")]
    public static unsafe partial int IndexAddWithIds(FaissIndexHandle index, long n, float* x, long* ids);

    [LibraryImport(Library, EntryPoint = "faiss_Index_search")]
    public static unsafe partial int IndexSearch(FaissIndexHandle index, long n, float* x, long k, float* distances, long* labels);

    [LibraryImport(Library, EntryPoint = "faiss_Index_remove_ids")]
    public static partial int IndexRemoveIds(FaissIndexHandle index, FaissSelectorHandle selector, out nuint removed);

    [LibraryImport(Library, EntryPoint = "faiss_Index_reconstruct")]
    public static unsafe partial int IndexReconstruct(FaissIndexHandle index, long key, float* recons);

    [LibraryImport(Library, EntryPoint = "faiss_IndexFlat_new_with")]
    public static partial int IndexFlatNew(out IntPtr index, long d, int metric);

    [LibraryImport(Library, EntryPoint = "faiss_IndexIVFFlat_new_with_metric")]
    public static partial int IndexIvfFlatNew(out IntPtr index, IntPtr quantizer, nuint d, nuint nlist, int metric);

    [LibraryImport(Library, EntryPoint = "faiss_IndexIVF_set_own_fields")]
    public static partial void IndexIvfSetOwnFields(IntPtr index, int own);

    [LibraryImport(Library, EntryPoint = "faiss_IndexIVF_imbalance_factor")]
    public static partial double IndexIvfImbalance(FaissIndexHandle index);

    [LibraryImport(Library, EntryPoint = "faiss_IndexHNSWFlat_new_with")]
    public static partial int IndexHnswFlatNew(out IntPtr index, long d, int m, int efConstruction, int metric);

    [LibraryImport(Library, EntryPoint = "faiss_IndexIDMap2_new")]
    public static partial int IndexIdMap2New(out IntPtr index, IntPtr inner);

    [LibraryImport(Library, EntryPoint = "faiss_IndexIDMap2_set_own_fields")]
    public static partial void IndexIdMap2SetOwnFields(IntPtr index, int own);

    /// <summary>The shim's k-means from given seeds (centroids: lists × d, in and out).</summary>
    [LibraryImport(Library, EntryPoint = "clipguard_kmeans_from")]
    public static unsafe partial int KMeansFrom(nuint d, nuint n, nuint k, float* x, float* centroids, int niter, int seed);

    [LibraryImport(Library, EntryPoint = "faiss_IDSelectorBatch_new")]
    public static unsafe partial int SelectorBatchNew(out IntPtr selector, nuint n, long* ids);

    [LibraryImport(Library, EntryPoint = "faiss_IDSelector_free")]
    public static partial void SelectorFree(IntPtr selector);

    [LibraryImport(Library, EntryPoint = "faiss_ParameterSpace_new")]
    public static partial int ParameterSpaceNew(out IntPtr space);

    [LibraryImport(Library, EntryPoint = "faiss_ParameterSpace_free")]
    public static partial void ParameterSpaceFree(IntPtr space);

    [LibraryImport(Library, EntryPoint = "faiss_ParameterSpace_set_index_parameter", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ParameterSpaceSet(FaissParameterSpaceHandle space, FaissIndexHandle index, string name, double value);

    [LibraryImport(Library, EntryPoint = "faiss_write_index_fname", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int WriteIndex(FaissIndexHandle index, string path);

    [LibraryImport(Library, EntryPoint = "faiss_read_index_fname", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int ReadIndex(string path, int ioFlags, out IntPtr index);

    /// <summary>The native message of this thread's last failed call (FAISS keeps it per thread).</summary>
    public static string LastError => Marshal.PtrToStringUTF8(GetLastError()) ?? "(no message)";

    /// <summary>Turns a failed return code into a <see cref="KnnIndexException"/> naming the operation and FAISS's text.</summary>
    public static void Check(int code, string operation)
    {
        if (code != 0)
        {
            throw new KnnIndexException($"FAISS {operation} failed (code {code}): {LastError}");
        }
    }
}
