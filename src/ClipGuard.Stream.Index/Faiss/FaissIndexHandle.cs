using System.Runtime.InteropServices;

namespace ClipGuard.Stream.Index.Faiss;

/// <summary>Owns one native FAISS index (and, through own_fields, whatever it wraps); freed exactly once.</summary>
internal sealed class FaissIndexHandle : SafeHandle
{
    public FaissIndexHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public FaissIndexHandle(IntPtr pointer)
        : base(IntPtr.Zero, ownsHandle: true) => SetHandle(pointer);

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        FaissNative.IndexFree(handle);
        return true;
    }
}
