namespace ClipGuard.Stream.Offline.Training;

/// <summary>
/// A labels CSV as the lab and the benchmarks write it: a header naming at least <c>key</c> and <c>poisoned</c>, then
/// one row per sample with poisoned 0/1 (or true/false). Other columns are ignored; quoting is not supported.
/// </summary>
public static class LabelFile
{
    public static IReadOnlyDictionary<string, bool> Read(string path)
    {
        string[] lines = File.ReadAllLines(path);
        string[] header = lines.Length > 0 ? Split(lines[0]) : [];
        int key = Array.IndexOf(header, "key"), poisoned = Array.IndexOf(header, "poisoned");
        if (key < 0 || poisoned < 0)
        {
            throw new OfflineInputException($"{path}: the header must name the columns key and poisoned (got '{(lines.Length > 0 ? lines[0] : "")}')");
        }

        var labels = new Dictionary<string, bool>(StringComparer.Ordinal);
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            string[] cells = Split(lines[i]);
            if (cells.Length <= Math.Max(key, poisoned))
            {
                throw new OfflineInputException($"{path}:{i + 1}: {cells.Length} columns, the header has {header.Length}");
            }

            labels[cells[key]] = cells[poisoned].ToLowerInvariant() switch
            {
                "1" or "true" => true,
                "0" or "false" => false,
                var other => throw new OfflineInputException($"{path}:{i + 1}: poisoned must be 0 or 1 (got '{other}')"),
            };
        }

        return labels;
    }

    private static string[] Split(string line) => [.. line.Split(',').Select(c => c.Trim().Trim('"'))];
}
