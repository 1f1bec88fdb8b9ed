namespace ClipGuard.Stream.DevBroker;

/// <summary>One line of /proc/self/maps that maps a file.</summary>
internal readonly record struct MappedRange(ulong Start, ulong End, string Path)
{
    public bool Contains(IntPtr address) => (ulong)address >= Start && (ulong)address < End;
}
