namespace ClipGuard.Stream.Offline.Reading;

/// <summary>What a member of a sample is, judged by its extension.</summary>
public enum MemberKind
{
    Image,
    Caption,
    Json,
    Unknown,
}
