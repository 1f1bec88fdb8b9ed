namespace ClipGuard.Stream.Index.Faiss;

/// <summary>Owns a native ParameterSpace, FAISS's way to set nprobe / efSearch through IDMap wrappers.</summary>
internal sealed class FaissParameterSpaceHandle(IntPtr pointer) : FaissHandle(pointer)
{
    /// <summary>Sets one named search-time parameter ("nprobe", "efSearch") on <paramref name="index"/>.</summary>
    public static void Apply(FaissIndexHandle index, string name, double value)
    {
        FaissNative.Check(FaissNative.ParameterSpaceNew(out IntPtr pointer), "ParameterSpace");
        using var space = new FaissParameterSpaceHandle(pointer);
        FaissNative.Check(FaissNative.ParameterSpaceSet(space, index, name, value), $"set {name} = {value}");
    }

    protected override bool ReleaseHandle()
    {
        FaissNative.ParameterSpaceFree(handle);
        return true;
    }
}
