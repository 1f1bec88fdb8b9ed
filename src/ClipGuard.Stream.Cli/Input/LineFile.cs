namespace ClipGuard.Stream.Cli.Input;

/// <summary>Reads one value per line (captions, ids, sources) and checks the count against the embeddings.</summary>
internal static class LineFile
{
    /// <exception cref="InvalidDataException">the file has a different number of lines than <paramref name="expected"/>.</exception>
    public static string[] Read(string path, string what, int expected)
    {
        string[] lines = File.ReadAllLines(path);
        if (lines.Length != expected)
        {
            throw new InvalidDataException($"{path}: {lines.Length} {what} lines, but the embeddings have {expected} rows");
        }

        return lines;
    }
}
