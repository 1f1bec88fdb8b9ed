using System.Text.Json;
using ClipGuard.Stream.Embedding.Training;
using ClipGuard.Stream.Lab.Protocol;
using ClipGuard.Stream.Lab.Scenes;
using ClipGuard.Stream.Lab.Training;
using ClipGuard.Stream.Offline.Training;

namespace ClipGuard.Stream.Lab.Tests.Training;

/// <summary>
/// <c>lab epochs</c> on the files a training and <c>scripts/lab/epochs.sh</c> leave: train.json's history, per epoch
/// the ASR and the protocol's rows. Values written are values read, per epoch, in epoch order; a missing file is
/// refused with its path.
/// </summary>
public sealed class EpochTrackTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-epochs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void EachEpochsAsrAlignmentAndAurocsLandInItsRowAndThePlotIsWritten()
    {
        string train = Path.Combine(_dir, "train"), track = Path.Combine(_dir, "track");
        WriteTraining(train, 3);
        // Written out of order on purpose: the table follows the epochs, not the file system.
        foreach (int epoch in new[] { 2, 1, 3 })
        {
            WriteEpoch(track, epoch, asr: 0.1 * epoch, dao: 0.5 + (0.1 * epoch), disagreement: 1.0 - (0.01 * epoch));
        }

        IReadOnlyList<EpochPoint> points = EpochTrack.Read(train, track);

        Assert.Equal([1, 2, 3], points.Select(p => p.Epoch));
        for (int e = 1; e <= 3; e++)
        {
            EpochPoint p = points[e - 1];
            Assert.Equal(0.1 * e, p.Asr, 12);
            Assert.Equal(0.05 * e, p.PoisonedCosine!.Value, 12);
            Assert.Equal(0.5 + (0.1 * e), p.Auroc["image DAO AUROC"], 12);
            Assert.Equal(1.0 - (0.01 * e), p.Auroc["own-caption disagreement AUROC"], 12);
            Assert.False(p.Auroc.ContainsKey("image LOF AUROC"));   // not in this protocol run
        }

        string markdown = EpochTrack.Markdown(points, "test");
        string[] rows = markdown.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && char.IsDigit(l[2])).ToArray();
        Assert.Equal(3, rows.Length);
        Assert.StartsWith("| 2 | 0.200 |", rows[1], StringComparison.Ordinal);
        Assert.Contains("| 0.700 |", rows[1], StringComparison.Ordinal);
        Assert.DoesNotContain("LOF", markdown, StringComparison.Ordinal);

        string png = Path.Combine(_dir, "epochs.png");
        EpochTrack.Plot(points, "test", png);
        byte[] head = File.ReadAllBytes(png)[..8];
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, head);
    }

    [Fact]
    public void AnEpochWithoutItsProtocolIsRefusedWithThePath()
    {
        string train = Path.Combine(_dir, "train"), track = Path.Combine(_dir, "track");
        WriteTraining(train, 2);
        WriteEpoch(track, 1, 0.1, 0.6, 0.99);
        WriteEpoch(track, 2, 0.2, 0.7, 0.98);
        File.Delete(Path.Combine(track, "epoch-0002", "protocol.json"));

        var e = Assert.Throws<FileNotFoundException>(() => EpochTrack.Read(train, track));
        Assert.Contains(Path.Combine("epoch-0002", "protocol.json"), e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => EpochTrack.Read(train, Path.Combine(_dir, "nothing")));
    }

    private static void WriteTraining(string dir, int epochs)
    {
        Directory.CreateDirectory(dir);
        var manifest = new TrainManifest
        {
            Input = "scenes", Epochs = epochs, Batch = 256, Model = new SmallClipSpec(), LearningRate = 1e-3, WeightDecay = 0.1,
            Seed = 1, Threads = 0, Shards = 1, Pairs = 1000, DistinctCaptions = 900, PoisonedPairs = 10,
            Skipped = new Dictionary<string, long>(), DecodeSeconds = 1, ResumedAfterEpoch = 0, TrainSeconds = 10, PairsPerSecond = 100,
            History = [.. Enumerable.Range(1, epochs).Select(e => new EpochSummary(e, 1.0 / e, 10, 5, 100, 0.8, 0.05 * e, 0.8))],
            ModelDirectory = "model", ModelVersion = "small@1",
        };
        File.WriteAllText(Path.Combine(dir, TrainManifest.FileName), JsonSerializer.Serialize(manifest, JsonSerializerOptions.Web));
    }

    private static void WriteEpoch(string track, int epoch, double asr, double dao, double disagreement)
    {
        string dir = Path.Combine(track, $"epoch-{epoch:D4}");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "asr.json"), JsonSerializer.Serialize(new SceneAsrResult(1000, asr, 0.05, 0.2, "sneaker", "blend") { Flipped = asr * 0.9 }));
        List<List<ProtocolRow>> runs =
        [
            [
                new ProtocolRow(ProtocolRow.ImageSpace, "DAO", 0.1, 0.5, 0.2, 0.3, dao, 10, 990),
                new ProtocolRow(ProtocolRow.ImageTextSpace, "DAO", 0.1, 0.5, 0.2, 0.3, dao - 0.05, 10, 990),
                new ProtocolRow(ProtocolRow.PairSpace, ProtocolRow.Disagreement, 0.1, 0.5, 0.2, 0.3, disagreement, 10, 990),
            ],
        ];
        File.WriteAllText(Path.Combine(dir, "protocol.json"), JsonSerializer.Serialize(runs));
    }
}
