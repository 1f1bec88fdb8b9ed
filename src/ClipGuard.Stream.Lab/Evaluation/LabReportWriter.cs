using System.Text;

namespace ClipGuard.Stream.Lab.Evaluation;

/// <summary>
/// <c>lab report</c>: gathers evaluated runs into one markdown document (summary table, then each run's section)
/// and copies each run's ROC plot next to it as <c>NAME-roc-RUN.png</c>.
/// </summary>
public static class LabReportWriter
{
    public static void Write(IReadOnlyList<string> runDirectories, string outputPath, string preamble)
    {
        ArgumentNullException.ThrowIfNull(runDirectories);
        ArgumentNullException.ThrowIfNull(outputPath);
        if (runDirectories.Count == 0)
        {
            throw new ArgumentException("lab report needs at least one --runs directory");
        }

        var results = runDirectories.Select(LabEvalResult.Read).ToList();
        string directory = Path.GetDirectoryName(Path.GetFullPath(outputPath))!;
        string stem = Path.GetFileNameWithoutExtension(outputPath);
        var md = new StringBuilder(preamble);
        md.AppendLine();
        md.AppendLine("## Summary");
        md.AppendLine();
        md.Append(LabReport.Summary(results));
        md.AppendLine();
        md.AppendLine("## Runs");
        md.AppendLine();
        for (int i = 0; i < results.Count; i++)
        {
            string plot = $"{stem}-roc-{Path.GetFileName(Path.TrimEndingDirectorySeparator(runDirectories[i]))}.png";
            string source = Path.Combine(runDirectories[i], LabEvalResult.PlotFile);
            if (!File.Exists(source))
            {
                throw new FileNotFoundException($"{source} not found: re-run `clipguard lab eval --run {runDirectories[i]}`");
            }

            File.Copy(source, Path.Combine(directory, plot), overwrite: true);
            md.Append(LabReport.Section(results[i], plot));
        }

        File.WriteAllText(outputPath, md.ToString());
    }
}
