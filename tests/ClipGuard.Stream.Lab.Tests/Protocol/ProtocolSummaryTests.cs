using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Lab.Protocol;

namespace ClipGuard.Stream.Lab.Tests.Protocol;

public sealed class ProtocolSummaryTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-labels-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void RunsAreSummarisedAsMeanAndSampleSdWithTheDefaultDetectorFirstAndNoneLeftOut()
    {
        IReadOnlyList<ProtocolRow> Run(double p) =>
        [
            new(ProtocolRow.ImageSpace, OutlierDetector.Lof, p, 0.5, 0.4, 0.3, 0.9, 10, 990),
            new(ProtocolRow.ImageSpace, OutlierDetector.Dao, p / 2, 0.2, 0.1, 0.1, 0.8, 10, 990),
            new(ProtocolRow.ImageTextSpace, OutlierDetector.Dao, p / 4, 0.2, 0.1, 0.1, 0.7, 10, 990),
        ];

        string md = ProtocolSummary.Markdown([Run(0.2), Run(0.4), Run(0.6)], new PaperProtocolOptions(), OutlierDetector.Dao);
        string[] rows = [.. md.Split('\n').Where(l => l.StartsWith("| image", StringComparison.Ordinal))];

        Assert.Equal(3, rows.Length);
        Assert.StartsWith("| image | **DAO** (default) | 0.200 ± 0.100 |", rows[0], StringComparison.Ordinal);
        Assert.StartsWith("| image | LOF | 0.400 ± 0.200 |", rows[1], StringComparison.Ordinal);
        Assert.StartsWith("| image+text | **DAO** (default) | 0.100 ± 0.050 |", rows[2], StringComparison.Ordinal);
        Assert.Contains("Mean ± sd over 3 run(s)", md, StringComparison.Ordinal);
        Assert.Equal("0.500", ProtocolSummary.MeanSd([0.5]));
    }

    [Fact]
    public void LabelsAreReadByColumnNameAndBadFilesAreRefusedWithTheLine()
    {
        string good = Write("good.csv", "key,trigger,poisoned\na,badnets,1\nb,,0\n");
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 0 }, LabelsFile.Read(good));

        Assert.Contains("line 3", Assert.Throws<InvalidDataException>(() => LabelsFile.Read(Write("bad.csv", "key,poisoned\na,1\nb,yes\n"))).Message, StringComparison.Ordinal);
        Assert.Contains("twice", Assert.Throws<InvalidDataException>(() => LabelsFile.Read(Write("dup.csv", "key,poisoned\na,1\na,0\n"))).Message, StringComparison.Ordinal);
        Assert.Contains("poisoned", Assert.Throws<InvalidDataException>(() => LabelsFile.Read(Write("col.csv", "key,label\na,1\n"))).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => LabelsFile.Read(Path.Combine(_dir, "missing.csv")));
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
