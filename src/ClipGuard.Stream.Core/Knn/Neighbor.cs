namespace ClipGuard.Stream.Core.Knn;

/// <summary>A neighbour of a point: the slot it occupies in a <see cref="VectorStore{T}"/> and its canonical distance.</summary>
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
