namespace ClipGuard.Stream.Offline;

/// <summary>Paths as recorded in manifests: absolute, without a trailing separator, so "emb/" and "./emb" compare equal.</summary>
internal static class OfflinePaths
{
    public static string Canonical(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
}
