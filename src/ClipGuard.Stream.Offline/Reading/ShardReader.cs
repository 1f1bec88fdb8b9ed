using System.Formats.Tar;

namespace ClipGuard.Stream.Offline.Reading;

/// <summary>
/// Streams the samples of one shard in order: a webdataset .tar is read member by member with System.Formats.Tar
/// (nothing is unpacked to disk; a sample's members are consecutive, as webdataset requires), a files folder key by
/// key. Broken members are counted through the assembler and reading goes on; a truncated tar keeps what came before.
/// </summary>
public sealed class ShardReader(InputShard shard, SampleAssembler assembler, long maxMemberBytes)
{
    /// <summary>Bytes of the shard consumed so far (for progress).</summary>
    public long BytesRead { get; private set; }

    public IEnumerable<DatasetSample> Read() => shard.Kind == ShardKind.Tar ? ReadTar() : ReadFiles();

    private IEnumerable<DatasetSample> ReadTar()
    {
        using var stream = new FileStream(shard.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var tar = new TarReader(stream, leaveOpen: true);
        string? key = null;
        var members = new List<Member>();
        while (true)
        {
            var (entry, data, failure) = Next(tar);
            BytesRead = stream.Position;
            if (failure is not null)
            {
                // The members read in full before the cut still form a sample (it may then lack its caption).
                assembler.Skip(key ?? "(none)", SkipReason.TruncatedTar, $"{shard.Path} ends early at byte {stream.Position}: {failure.Message}");
                break;
            }

            if (entry is null)
            {
                break;
            }

            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile))
            {
                continue;
            }

            var (entryKey, ext) = MemberNames.Split(entry.Name);
            if (key is not null && entryKey != key && Finish(key, members) is { } done)
            {
                yield return done;
            }

            if (entryKey != key)
            {
                members.Clear();
                key = entryKey;
            }

            if (data is null)
            {
                assembler.Skip(entryKey, SkipReason.MemberTooLarge, $"{entry.Name} is {entry.Length} bytes, over the limit of {maxMemberBytes}");
            }
            else
            {
                members.Add(new Member(ext, data));
            }
        }

        if (key is not null && Finish(key, members) is { } last)
        {
            yield return last;
        }
    }

    // Exceptions cannot cross a yield inside try/catch, so reading one entry is its own step.
    private (TarEntry? Entry, byte[]? Data, Exception? Failure) Next(TarReader tar)
    {
        try
        {
            var entry = tar.GetNextEntry(copyData: false);
            if (entry is null || entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.Length > maxMemberBytes)
            {
                return (entry, null, null);
            }

            var data = new byte[entry.Length];
            entry.DataStream?.ReadExactly(data);
            return (entry, data, null);
        }
        // OverflowException: System.Formats.Tar parses a base-256 size or time field too large for its type without a
        // range check (found by fuzzing); like the others it means the rest of the shard cannot be read.
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or FormatException or ArgumentOutOfRangeException or OverflowException)
        {
            return (null, null, e);
        }
    }

    private IEnumerable<DatasetSample> ReadFiles()
    {
        var groups = Directory.EnumerateFiles(shard.Path)
            .Select(path => (Path: path, Name: MemberNames.Split(Path.GetFileName(path))))
            .GroupBy(f => f.Name.Key, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var members = new List<Member>();
            foreach (var (path, (_, ext)) in group.OrderBy(f => f.Name.Extension, StringComparer.Ordinal))
            {
                long length = new FileInfo(path).Length;
                BytesRead += length;
                if (length > maxMemberBytes)
                {
                    assembler.Skip(group.Key, SkipReason.MemberTooLarge, $"{path} is {length} bytes, over the limit of {maxMemberBytes}");
                    continue;
                }

                members.Add(new Member(ext, File.ReadAllBytes(path)));
            }

            if (Finish(group.Key, members) is { } sample)
            {
                yield return sample;
            }
        }
    }

    private DatasetSample? Finish(string key, List<Member> members) => assembler.Assemble(key, members);
}
