namespace ClipGuard.Stream.Cli.Quarantine;

/// <summary>Plain left-aligned columns: no wrapping and no colour, so lines stay whole for grep and awk.</summary>
internal sealed class TextTable(params string[] headings)
{
    private readonly List<string[]> _rows = [headings];

    public void Add(params string[] cells)
    {
        if (cells.Length != headings.Length)
        {
            throw new ArgumentException($"{cells.Length} cells for {headings.Length} columns", nameof(cells));
        }

        // Tabs and newlines inside a cell (captions) would break the columns.
        _rows.Add([.. cells.Select(c => c.ReplaceLineEndings(" ").Replace('\t', ' '))]);
    }

    public void Write(TextWriter output)
    {
        int[] widths = [.. Enumerable.Range(0, headings.Length).Select(i => _rows.Max(r => r[i].Length))];
        foreach (string[] row in _rows)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }
}
