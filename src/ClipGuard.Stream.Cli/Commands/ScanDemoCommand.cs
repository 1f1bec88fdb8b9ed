using System.CommandLine;
using System.Globalization;
using ClipGuard.Stream.Cli.Scan;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>
/// `clipguard scan-demo`: generates clustered embeddings with planted outliers, scans them leave-one-out with every
/// detector, and prints how well each found the plants (batch scoring only; `clipguard demo` shows the stream).
/// </summary>
internal static class ScanDemoCommand
{
    public static Command Create()
    {
        var dir = new Option<string>("--dir") { Description = "Where the example files go", DefaultValueFactory = _ => Path.Combine(".cache", "scan-demo") };
        var rows = new Option<int>("--rows") { Description = "Samples in the example", DefaultValueFactory = _ => 20_000 };
        var command = new Command("scan-demo", "Batch-score a generated example with planted outliers with every detector") { dir, rows };
        command.SetAction(p => Run(p.GetValue(dir)!, p.GetValue(rows)));
        return command;
    }

    private static int Run(string dir, int rows)
    {
        Directory.CreateDirectory(dir);
        const int dim = 64;
        (Matrix<float> data, int[] labels) = SyntheticEmbeddings.Generate(rows, dim, clusters: 40, outlierFraction: 0.01, seed: 2025);
        string x = Path.Combine(dir, "embeddings.npy"), y = Path.Combine(dir, "labels.npy");
        Npy.Write(x, data);
        Npy.WriteLabels(y, labels);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"scan-demo: {rows} embeddings (d = {dim}), {labels.Sum()} planted outliers -> {x}"));
        foreach (OutlierDetector detector in Enum.GetValues<OutlierDetector>())
        {
            string name = detector.ToString().ToLowerInvariant();
            string output = Path.Combine(dir, $"scores-{name}.csv");
            Console.Write($"  {name,-6} ");
            var settings = new ScanSettings(x, null, detector, 16, DistanceMetric.Euclidean, y, output, 0);
            int rc = ConsoleProgress.Run(name, p => ScanRunner.Run(settings, Console.Out, TextWriter.Null, p));
            if (rc != 0)
            {
                return rc;
            }
        }

        Console.WriteLine($"scan-demo: per-row scores in {dir}/scores-*.csv; try ./clipguard scan --help");
        return 0;
    }
}
