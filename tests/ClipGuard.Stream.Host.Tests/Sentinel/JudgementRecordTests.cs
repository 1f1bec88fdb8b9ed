using ClipGuard.Stream.Host.Sentinel;

namespace ClipGuard.Stream.Host.Tests.Sentinel;

public sealed class JudgementRecordTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-judgements-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void AJudgementFileReadsBackAsWrittenAndABrokenLineIsNamed()
    {
        string path = Path.Combine(_dir, "judgements", "v000003-node.jsonl");
        JudgementRecord[] records =
        [
            new("a", "m@1", 0.25, 0.004, true, "campaign-0a0b0c0d-1"),
            new("b", "m@1", double.PositiveInfinity, null, false, null),
        ];

        JudgementRecord.WriteAll(path, records);

        Assert.Equal(records, JudgementRecord.ReadAll(path));
        Assert.False(File.Exists(path + ".tmp"));
        File.AppendAllText(path, "{\"id\": 3}\n");
        var e = Assert.Throws<InvalidDataException>(() => JudgementRecord.ReadAll(path));
        Assert.StartsWith(path + ":3: not a judgement record", e.Message, StringComparison.Ordinal);
    }
}
