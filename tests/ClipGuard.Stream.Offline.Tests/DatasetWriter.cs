using System.Formats.Tar;
using System.Text;
using System.Text.Json;

namespace ClipGuard.Stream.Offline.Tests;

/// <summary>Writes samples the way img2dataset does: NNNNN.tar webdataset shards or NNNNN/ folders, KEY.{png,txt,json}.</summary>
internal static class DatasetWriter
{
    public static void WriteTar(string folder, IEnumerable<TestSample> samples, int perShard) =>
        Write(samples, perShard, (shard, part) =>
        {
            Directory.CreateDirectory(folder);
            using var file = File.Create(Path.Combine(folder, $"{shard:D5}.tar"));
            using var tar = new TarWriter(file, TarEntryFormat.Pax);
            foreach (var s in part)
            {
                foreach (var (name, data) in Members(s))
                {
                    AddMember(tar, name, data);
                }
            }
        });

    public static void WriteFiles(string folder, IEnumerable<TestSample> samples, int perShard) =>
        Write(samples, perShard, (shard, part) =>
        {
            string dir = Path.Combine(folder, $"{shard:D5}");
            Directory.CreateDirectory(dir);
            foreach (var s in part)
            {
                foreach (var (name, data) in Members(s))
                {
                    File.WriteAllBytes(Path.Combine(dir, name), data);
                }
            }
        });

    public static void AddMember(TarWriter tar, string name, byte[] data)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) };
        tar.WriteEntry(entry);
    }

    public static IEnumerable<(string Name, byte[] Data)> Members(TestSample s)
    {
        yield return ($"{s.Key}.{s.ImageExtension}", s.Image);
        yield return ($"{s.Key}.txt", Encoding.UTF8.GetBytes(s.Caption));
        yield return ($"{s.Key}.json", JsonSerializer.SerializeToUtf8Bytes(new { key = s.Key, url = s.Url, status = "success" }));
    }

    private static void Write(IEnumerable<TestSample> samples, int perShard, Action<int, TestSample[]> writeShard)
    {
        int shard = 0;
        foreach (var part in samples.Chunk(perShard))
        {
            writeShard(shard++, part);
        }
    }
}
