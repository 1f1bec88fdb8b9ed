namespace ClipGuard.Stream.Offline.Reading;

/// <summary>
/// webdataset's naming rule: a member's key is its path up to the first dot of the file name, the rest is its
/// extension (so "dir/000123.seg.png" has key "dir/000123" and extension "seg.png").
/// </summary>
public static class MemberNames
{
    public static (string Key, string Extension) Split(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        int slash = path.LastIndexOf('/');
        int dot = path.IndexOf('.', slash + 1);
        return dot < 0 ? (path, "") : (path[..dot], path[(dot + 1)..].ToLowerInvariant());
    }

    public static MemberKind KindOf(string path) => KindOfExtension(Split(path).Extension);

    public static MemberKind KindOfExtension(string extension) => extension switch
    {
        "jpg" or "jpeg" or "png" or "webp" => MemberKind.Image,
        "txt" => MemberKind.Caption,
        "json" => MemberKind.Json,
        _ => MemberKind.Unknown,
    };
}
