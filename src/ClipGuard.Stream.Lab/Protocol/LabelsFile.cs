using Sylvan.Data.Csv;

namespace ClipGuard.Stream.Lab.Protocol;

/// <summary>
/// Ground truth of a dataset: a CSV with a header naming at least <c>key</c> and <c>poisoned</c> (0 or 1), as
/// <c>clipguard lab scenes</c> writes it; other columns are ignored.
/// </summary>
public static class LabelsFile
{
    /// <exception cref="InvalidDataException">Missing file or column, a value not 0/1, or a key twice.</exception>
    public static Dictionary<string, int> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{path}: no such labels file");
        }

        var labels = new Dictionary<string, int>(StringComparer.Ordinal);
        using CsvDataReader csv = CsvDataReader.Create(path);
        int keyColumn = Column(csv, "key", path), poisonedColumn = Column(csv, "poisoned", path);
        for (int row = 2; csv.Read(); row++)
        {
            string key = csv.GetString(keyColumn);
            int label = csv.GetString(poisonedColumn) switch
            {
                "0" => 0,
                "1" => 1,
                var other => throw new InvalidDataException($"{path}, line {row}: poisoned is '{other}', not 0 or 1"),
            };
            if (!labels.TryAdd(key, label))
            {
                throw new InvalidDataException($"{path}, line {row}: key '{key}' appears twice");
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

        throw new InvalidDataException($"{path}: the header must name the columns key and poisoned (no '{name}')");
    }
}
