namespace ClipGuard.Stream.Core.Pipeline;

/// <summary>Where a sample goes. Every consumed sample gets exactly one.</summary>
public enum Route
{
    Clean,
    Quarantine,
    DeadLetter,
}
