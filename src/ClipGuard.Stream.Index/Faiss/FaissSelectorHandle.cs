using System.Runtime.InteropServices;

namespace ClipGuard.Stream.Index.Faiss;

/// <summary>Owns a native IDSelectorBatch (the id set handed to remove_ids).</summary>
internal sealed class FaissSelectorHandle : SafeHandle
{
    public FaissSelectorHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public FaissSelectorHandle(IntPtr pointer)
        : base(IntPtr.Zero, ownsHandle: true) => SetHandle(pointer);

    public override bool IsInvalid => handle == IntPtr.Zero;

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
