using Sylvan.Data.Csv;

namespace ClipGuard.Stream.Offline.Training;

/// <summary>
/// Ground truth of a dataset: a CSV with a header naming at least <c>key</c> and <c>poisoned</c> (0/1 or
/// true/false), as <c>clipguard lab scenes</c> writes it; other columns are ignored, quoted fields are read as CSV.
/// </summary>
public static class LabelFile
{
    /// <exception cref="OfflineInputException">Missing file or column, a value not 0/1, or a key twice.</exception>
    public static IReadOnlyDictionary<string, bool> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new OfflineInputException($"{path}: no such labels file");
        }

        var labels = new Dictionary<string, bool>(StringComparer.Ordinal);
        using CsvDataReader csv = CsvDataReader.Create(path);
        int keyColumn = Column(csv, "key", path), poisonedColumn = Column(csv, "poisoned", path);
        for (int line = 2; csv.Read(); line++)
        {
            string key = csv.GetString(keyColumn);
            bool poisoned = csv.GetString(poisonedColumn).Trim().ToLowerInvariant() switch
            {
                "1" or "true" => true,
                "0" or "false" => false,
                var other => throw new OfflineInputException($"{path}:{line}: poisoned must be 0 or 1 (got '{other}')"),
            };
            if (!labels.TryAdd(key, poisoned))
            {
                throw new OfflineInputException($"{path}:{line}: key '{key}' appears twice");
            }
        }

        return labels;
    }

    private static int Column(CsvDataReader csv, string name, string path)
    {
        for (int i = 0; i < csv.FieldCount; i++)
        {
            if (csv.GetName(i) == name)
            {
                return i;
            }
        }

        throw new OfflineInputException($"{path}: the header must name the columns key and poisoned (no '{name}')");
    }
}
