namespace ClipGuard.Stream.Core.Reference;

public enum ReferenceChangeKind
{
    Admitted,
    Evicted,
}
