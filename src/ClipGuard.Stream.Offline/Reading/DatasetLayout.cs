namespace ClipGuard.Stream.Offline.Reading;

/// <summary>Finds the shards of an img2dataset output folder (or a single .tar), in name order.</summary>
public static class DatasetLayout
{
    public static IReadOnlyList<InputShard> Discover(string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (File.Exists(input))
        {
            return IsTar(input)
                ? [Tar(0, input)]
                : throw new OfflineInputException($"{input}: not a .tar shard nor a folder of shards");
        }

        if (!Directory.Exists(input))
        {
            throw new OfflineInputException($"{input}: no such file or folder");
        }

        var tars = Directory.EnumerateFiles(input).Where(IsTar).Order(StringComparer.Ordinal).ToArray();
        if (tars.Length > 0)
        {
            return tars.Select((path, i) => Tar(i, path)).ToArray();
        }

        var folders = Directory.EnumerateDirectories(input).Where(HoldsMembers).Order(StringComparer.Ordinal).ToArray();
        if (folders.Length > 0)
        {
            return folders.Select((path, i) => Files(i, path)).ToArray();
        }

        // A single folder of KEY.jpg/KEY.txt pairs is one files shard.
        return HoldsMembers(input)
            ? [Files(0, input)]
            : throw new OfflineInputException($"{input}: no shards found (expected NNNNN.tar files, NNNNN/ folders, or KEY.jpg + KEY.txt files)");
    }

    private static bool IsTar(string path) => path.EndsWith(".tar", StringComparison.OrdinalIgnoreCase);

    private static bool HoldsMembers(string folder) =>
        Directory.EnumerateFiles(folder).Any(f => MemberNames.KindOf(Path.GetFileName(f)) is MemberKind.Image or MemberKind.Caption);

    private static InputShard Tar(int index, string path)
    {
        string name = Path.GetFileNameWithoutExtension(path);
        return new InputShard(index, name, path, ShardKind.Tar, new FileInfo(path).Length, Sibling(path, name));
    }

    private static InputShard Files(int index, string path)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        string name = Path.GetFileName(full);
        long bytes = Directory.EnumerateFiles(full).Sum(f => new FileInfo(f).Length);
        return new InputShard(index, name, full, ShardKind.Files, bytes, Sibling(full, name));
    }

    private static string? Sibling(string path, string name)
    {
        string candidate = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", name + ".parquet");
        return File.Exists(candidate) ? candidate : null;
    }
}
