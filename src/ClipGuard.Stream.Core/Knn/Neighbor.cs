using System.Runtime.InteropServices;

namespace ClipGuard.Stream.Core.Knn;

/// <summary>
/// A neighbour of a point: the slot it occupies in a <see cref="VectorStore{T}"/> and its canonical distance. Packed to
/// 12 bytes (the distance at a 4-byte boundary; x64 reads it unaligned at no measurable cost): every member keeps k + ⌈k/2⌉
/// of them, so the default layout's 4 bytes of padding were 96 bytes a member.
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 4)]
public readonly record struct Neighbor(int Slot, double Distance) : IComparable<Neighbor>
{
    /// <summary>Order by distance, then by slot, so every k-NN computation breaks ties the same way.</summary>
    public int CompareTo(Neighbor other)
    {
        int c = Distance.CompareTo(other.Distance);
        return c != 0 ? c : Slot.CompareTo(other.Slot);
    }

    public static bool operator <(Neighbor left, Neighbor right) => left.CompareTo(right) < 0;

    public static bool operator >(Neighbor left, Neighbor right) => left.CompareTo(right) > 0;

    public static bool operator <=(Neighbor left, Neighbor right) => left.CompareTo(right) <= 0;

    public static bool operator >=(Neighbor left, Neighbor right) => left.CompareTo(right) >= 0;
}
