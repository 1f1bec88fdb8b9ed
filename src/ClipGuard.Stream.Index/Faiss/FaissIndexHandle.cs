namespace ClipGuard.Stream.Index.Faiss;

/// <summary>Owns one native FAISS index (and, through own_fields, whatever it wraps).</summary>
internal sealed class FaissIndexHandle(IntPtr pointer) : FaissHandle(pointer)
{
    protected override bool ReleaseHandle()
    {
        FaissNative.IndexFree(handle);
        return true;
    }
}
