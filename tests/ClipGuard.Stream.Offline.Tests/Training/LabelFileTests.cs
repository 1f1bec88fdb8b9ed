using ClipGuard.Stream.Offline.Training;

namespace ClipGuard.Stream.Offline.Tests.Training;

public sealed class LabelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-labels-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void LabelsAreReadByColumnNameAndBadFilesAreRefusedWithTheLine()
    {
        string good = Write("good.csv", "key,trigger,poisoned\na,badnets,1\nb,,0\n");
        Assert.Equal(new Dictionary<string, bool> { ["a"] = true, ["b"] = false }, LabelFile.Read(good));

        Assert.Contains("bad.csv:3", Assert.Throws<OfflineInputException>(() => LabelFile.Read(Write("bad.csv", "key,poisoned\na,1\nb,yes\n"))).Message, StringComparison.Ordinal);
        Assert.Contains("twice", Assert.Throws<OfflineInputException>(() => LabelFile.Read(Write("dup.csv", "key,poisoned\na,1\na,0\n"))).Message, StringComparison.Ordinal);
        Assert.Contains("poisoned", Assert.Throws<OfflineInputException>(() => LabelFile.Read(Write("col.csv", "key,label\na,1\n"))).Message, StringComparison.Ordinal);
        Assert.Throws<OfflineInputException>(() => LabelFile.Read(Path.Combine(_dir, "missing.csv")));
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
