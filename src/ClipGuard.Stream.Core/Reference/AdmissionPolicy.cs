namespace ClipGuard.Stream.Core.Reference;

/// <summary>How a full reference set makes room for newly cleared samples.</summary>
public enum AdmissionPolicy
{
    /// <summary>Algorithm R: the n-th eligible sample enters with probability capacity/n, replacing a random member.</summary>
    Reservoir,

    /// <summary>The oldest member leaves for every new one: the reference follows the stream.</summary>
    SlidingWindow,
}
