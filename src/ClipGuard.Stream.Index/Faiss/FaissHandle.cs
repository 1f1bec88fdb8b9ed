using System.Runtime.InteropServices;

namespace ClipGuard.Stream.Index.Faiss;

/// <summary>A native FAISS object owned by exactly one managed handle and freed exactly once, by its subclass's free call.</summary>
internal abstract class FaissHandle : SafeHandle
{
    protected FaissHandle(IntPtr pointer)
        : base(IntPtr.Zero, ownsHandle: true) => SetHandle(pointer);

    public override bool IsInvalid => handle == IntPtr.Zero;
}
