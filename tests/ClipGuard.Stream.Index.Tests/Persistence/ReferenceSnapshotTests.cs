using System.Diagnostics;
using System.Security.Cryptography;
using ClipGuard.Stream.Core.IO;
using ClipGuard.Stream.Core.Numerics;
using ClipGuard.Stream.Core.Reference;
using ClipGuard.Stream.Core.Scoring;
using ClipGuard.Stream.Index.Persistence;
using ClipGuard.Stream.Testing;

namespace ClipGuard.Stream.Index.Tests.Persistence;

public sealed class ReferenceSnapshotTests : IDisposable
{
    private const int Dim = 16;
    private readonly string _dir = Directory.CreateTempSubdirectory("clipguard-snapshot-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_restored_set_has_the_same_members_scores_hold_back_and_version_and_zero_drift()
    {
        ReferenceSet<float> set = Churned(seed: 11);
        set.ModelVersion = "ViT-B-32@0123456789abcdef";
        var store = new ReferenceSnapshotStore(Path.Combine(_dir, "ref.snap"));
        store.Save(set);
        ReferenceSet<float> restored = store.LoadLatest<float>()!;

        Assert.Equal(set.Version, restored.Version);
        Assert.Equal("ViT-B-32@0123456789abcdef", restored.ModelVersion);
        Assert.Equal(set.Count, restored.Count);
        Assert.Equal(set.WaitingInHoldBack, restored.WaitingInHoldBack);
        Assert.True(set.WaitingInHoldBack > 0);
        Assert.Equal(set.MemberIds.Order(), restored.MemberIds.Order());
        Assert.Equal(set.SourceCount("s1"), restored.SourceCount("s1"));
        foreach (string id in set.MemberIds)
        {
            OutlierScores a = set.MemberScores(id), b = restored.MemberScores(id);
            Assert.Equal(a.Dao, b.Dao, 1e-9 * a.Dao);
            Assert.Equal(a.Lof, b.Lof, 1e-9 * a.Lof);
            Assert.Equal(a.KDistance, b.KDistance, 1e-12 * a.KDistance);
        }

        Assert.True(restored.Model.MeasureDrift().IsExact(0), restored.Model.MeasureDrift().ToString());
        Assert.Empty(restored.DrainChanges());
        (Matrix<float> queries, _) = SyntheticEmbeddings.Generate(30, Dim, 5, 0.2, seed: 99);
        QueryResult[] before = set.Score(queries), after = restored.Score(queries);
        for (int i = 0; i < before.Length; i++)
        {
            Assert.Equal(before[i].Scores.Dao, after[i].Scores.Dao, 1e-9 * before[i].Scores.Dao);
        }

        // The hold-back came back too: a waiting id is known, and the next offers decide the waiting samples in order.
        ReferenceSetState<float> state = set.ExportState();
        string waiting = state.HoldBack[0].Id;
        Assert.Equal([(waiting, OfferOutcome.AlreadyKnown)], restored.OfferCleared(waiting, "s1", new float[Dim]));
        Assert.Equal(set.OfferCleared("new-1", "s9", queries.RowReadOnly(0)).Select(x => x.Id), restored.OfferCleared("new-1", "s9", queries.RowReadOnly(0)).Select(x => x.Id));
    }

    [Fact]
    public void Flipped_truncated_foreign_or_future_files_are_rejected_with_the_problem_named()
    {
        string path = Path.Combine(_dir, "ref.snap");
        ReferenceSnapshot.Write(path, Churned(seed: 12).ExportState());
        byte[] good = File.ReadAllBytes(path);

        byte[] flipped = (byte[])good.Clone();
        flipped[good.Length / 3] ^= 0x01;
        Assert.Contains("checksum", Reject(path, flipped).Problem);
        Assert.Contains("checksum", Reject(path, good[..(good.Length - 7)]).Problem);
        Assert.Contains("truncated", Reject(path, good[..20]).Problem);
        byte[] foreign = (byte[])good.Clone();
        foreign[0] = (byte)'X';
        Assert.Contains("magic", Reject(path, foreign).Problem);

        // A well-formed file of a later format version (checksum recomputed) is refused, not misread.
        byte[] future = (byte[])good.Clone();
        BitConverter.GetBytes(ReferenceSnapshot.FormatVersion + 1).CopyTo(future, 8);
        SHA256.HashData(future.AsSpan(0, future.Length - 32)).CopyTo(future, future.Length - 32);
        Assert.Contains("format version", Reject(path, future).Problem);

        // Counts that contradict the file are caught even when the checksum is right.
        byte[] lying = (byte[])good.Clone();
        // magic, version, element size, options, version, seen, log position, model (no model: a 1-byte empty string)
        int rowsAt = 8 + 4 + 4 + (5 * 4) + 8 + (2 * 4) + 8 + 8 + 8 + 1;
        BitConverter.GetBytes(int.MaxValue / 2).CopyTo(lying, rowsAt);
        SHA256.HashData(lying.AsSpan(0, lying.Length - 32)).CopyTo(lying, lying.Length - 32);
        Assert.Contains("do not fit", Reject(path, lying).Problem);

        Assert.Throws<SnapshotCorruptException>(() =>
        {
            File.WriteAllBytes(path, good);
            return ReferenceSnapshot.Read<double>(path);
        });
        File.WriteAllBytes(path, good);
        Assert.NotNull(ReferenceSnapshot.Read<float>(path));
    }

    [Fact]
    public void The_store_falls_back_to_the_previous_snapshot_when_the_current_one_is_corrupt_and_says_so()
    {
        var log = new RecordingLogger();
        var store = new ReferenceSnapshotStore(Path.Combine(_dir, "ref.snap"), log);
        Assert.Null(store.LoadLatest<float>());
        ReferenceSet<float> first = Churned(seed: 13);
        store.Save(first);
        ReferenceSet<float> second = Churned(seed: 14);
        store.Save(second);
        Assert.Equal(second.Version, store.LoadLatest<float>()!.Version);

        byte[] bytes = File.ReadAllBytes(store.Path);
        bytes[100] ^= 0xFF;
        File.WriteAllBytes(store.Path, bytes);
        ReferenceSet<float> restored = store.LoadLatest<float>()!;
        Assert.Equal(first.Version, restored.Version);
        Assert.Equal(first.MemberIds.Order(), restored.MemberIds.Order());
        Assert.Contains(log.Lines, l => l.StartsWith("Warning: Skipping reference snapshot", StringComparison.Ordinal) && l.Contains("checksum", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.Contains($"Restored the reference set from snapshot {store.PreviousPath}: version {first.Version}", StringComparison.Ordinal));
    }

    [Fact]
    public void Killing_the_writer_mid_snapshot_leaves_the_last_good_snapshot_loadable()
    {
        string path = Path.Combine(_dir, "ref.snap");
        var log = new RecordingLogger();
        var store = new ReferenceSnapshotStore(path, log);
        ReferenceSet<float> good = Churned(seed: 15);
        store.Save(good);

        // 300k x 512 float32 is about 600 MB: long enough that the kill lands while the temporary file is growing.
        string writer = Path.Combine(AppContext.BaseDirectory, "ClipGuard.Stream.Index.CrashWriter.dll");
        var start = new ProcessStartInfo("dotnet", [writer, path, "300000", "512", "999"]) { RedirectStandardOutput = true };
        using Process child = Process.Start(start)!;
        Assert.Equal("saving", child.StandardOutput.ReadLine());
        var watch = Stopwatch.StartNew();
        long grown = 0;
        while (grown < (8 << 20) && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            grown = Directory.GetFiles(_dir, "ref.snap.tmp-*").Select(f => new FileInfo(f).Length).DefaultIfEmpty(0).Max();
            Thread.Sleep(2);
        }

        child.Kill();
        child.WaitForExit();
        Assert.True(grown >= 8 << 20, "the writer never started its temporary file");
        Assert.NotEqual(0, child.ExitCode);
        Assert.Null(child.StandardOutput.ReadLine());

        ReferenceSet<float> restored = store.LoadLatest<float>()!;
        Assert.Equal(good.Version, restored.Version);
        Assert.Equal(good.MemberIds.Order(), restored.MemberIds.Order());
        Assert.Contains(log.Lines, l => l.Contains($"Restored the reference set from snapshot", StringComparison.Ordinal) && l.Contains($"version {good.Version}", StringComparison.Ordinal));

        // The next save clears the dead writer's temporary file and becomes the current snapshot.
        Assert.NotEmpty(Directory.GetFiles(_dir, "ref.snap.tmp-*"));
        store.Save(restored);
        Assert.Empty(Directory.GetFiles(_dir, "ref.snap.tmp-*"));
        Assert.Equal(good.Version, store.LoadLatest<float>()!.Version);
    }

    /// <summary>A set that went through seeding, admissions with evictions, revocations and a non-empty hold-back.</summary>
    private static ReferenceSet<float> Churned(int seed)
    {
        var options = new ReferenceSetOptions { Capacity = 300, K = 5, HoldBack = 15, MaxSourceShare = 0.5, Seed = seed };
        var set = new ReferenceSet<float>(Dim, options);
        (Matrix<float> data, _) = SyntheticEmbeddings.Generate(700, Dim, 6, 0.02, seed);
        int n0 = 200;
        set.Seed(
            Enumerable.Range(0, n0).Select(i => $"seed-{i}").ToList(),
            Enumerable.Range(0, n0).Select(i => (string?)$"s{i % 3}").ToList(),
            SyntheticEmbeddings.Slice(data, 0, n0));
        for (int i = n0; i < data.Rows; i++)
        {
            set.OfferCleared($"id-{i}", $"s{i % 4}", data.RowReadOnly(i));
        }

        // Two ids sharing one vector: the restored set must keep both on one point with multiplicity 2.
        set.OfferCleared("dup-a", "s1", data.RowReadOnly(5));
        set.Revoke("id-650");
        foreach (string id in set.MemberIds.Where(x => x.StartsWith("seed-1", StringComparison.Ordinal)).Take(10).ToList())
        {
            set.Evict(id);
        }

        return set;
    }

    private static SnapshotCorruptException Reject(string path, byte[] bytes)
    {
        File.WriteAllBytes(path, bytes);
        return Assert.Throws<SnapshotCorruptException>(() => ReferenceSnapshot.Read<float>(path));
    }
}
