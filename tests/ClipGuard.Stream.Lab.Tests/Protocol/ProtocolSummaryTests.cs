using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Lab.Protocol;

namespace ClipGuard.Stream.Lab.Tests.Protocol;

public sealed class ProtocolSummaryTests
{
    [Fact]
    public void RunsAreSummarisedAsMeanAndSampleSdWithTheDefaultDetectorFirstAndNoneLeftOut()
    {
        IReadOnlyList<ProtocolRow> Run(double p) =>
        [
            new(ProtocolRow.ImageSpace, "LOF", p, 0.5, 0.4, 0.3, 0.9, 10, 990),
            new(ProtocolRow.ImageSpace, "DAO", p / 2, 0.2, 0.1, 0.1, 0.8, 10, 990),
            new(ProtocolRow.ImageTextSpace, "DAO", p / 4, 0.2, 0.1, 0.1, 0.7, 10, 990),
            new(ProtocolRow.PairSpace, ProtocolRow.Disagreement, p, 1, 1, 1, 1, 10, 990),
        ];

        string md = ProtocolSummary.Markdown([Run(0.2), Run(0.4), Run(0.6)], new PaperProtocolOptions(), OutlierDetector.Dao);
        string[] rows = [.. md.Split('\n').Where(l => l.StartsWith("| image", StringComparison.Ordinal) || l.StartsWith("| pair", StringComparison.Ordinal))];

        Assert.Equal(4, rows.Length);
        Assert.StartsWith("| image | **DAO** (default) | 0.200 ± 0.100 |", rows[0], StringComparison.Ordinal);
        Assert.StartsWith("| image | LOF | 0.400 ± 0.200 |", rows[1], StringComparison.Ordinal);
        Assert.StartsWith("| image+text | **DAO** (default) | 0.100 ± 0.050 |", rows[2], StringComparison.Ordinal);
        Assert.StartsWith("| pair | 1 − cos(image, caption) | 0.400 ± 0.200 |", rows[3], StringComparison.Ordinal);
        Assert.Contains("Mean ± sd over 3 run(s)", md, StringComparison.Ordinal);
        Assert.Equal("0.500", ProtocolSummary.MeanSd([0.5]));
    }
}
