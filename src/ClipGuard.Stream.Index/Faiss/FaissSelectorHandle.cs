namespace ClipGuard.Stream.Index.Faiss;

/// <summary>Owns a native IDSelectorBatch (the id set handed to remove_ids).</summary>
internal sealed class FaissSelectorHandle(IntPtr pointer) : FaissHandle(pointer)
{
    public static unsafe FaissSelectorHandle Create(ReadOnlySpan<long> ids)
    {
        fixed (long* p = ids)
        {
            FaissNative.Check(FaissNative.SelectorBatchNew(out IntPtr selector, (nuint)ids.Length, p), "IDSelectorBatch");
            return new FaissSelectorHandle(selector);
        }
    }

    protected override bool ReleaseHandle()
    {
        FaissNative.SelectorFree(handle);
        return true;
    }
}
