using System.Formats.Tar;
using System.Globalization;

namespace ClipGuard.Stream.Lab.Scenes;

/// <summary>
/// webdataset shards <c>scenes-00000.tar</c>, <c>scenes-00001.tar</c> ... of at most <c>perShard</c> samples, each
/// sample's members consecutive (KEY.png, KEY.txt, KEY.json). ustar entries with a fixed time, mode and owner, so the
/// same samples give byte-identical shards.
/// </summary>
public sealed class SceneShardWriter(string directory, int perShard) : IDisposable
{
    public const string Prefix = "scenes-";

    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    private readonly List<string> _shards = [];
    private TarWriter? _tar;
    private int _inShard;

    /// <summary>The shards written so far, in order.</summary>
    public IReadOnlyList<string> Shards => _shards;

    public static string ShardName(int index) => Prefix + index.ToString("D5", CultureInfo.InvariantCulture) + ".tar";

    public void Add(string key, byte[] png, byte[] caption, byte[] json)
    {
        if (_tar is null || _inShard == perShard)
        {
            _tar?.Dispose();
            string path = Path.Combine(directory, ShardName(_shards.Count));
            _tar = new TarWriter(File.Create(path), TarEntryFormat.Ustar, leaveOpen: false);
            _shards.Add(path);
            _inShard = 0;
        }

        Member(key + ".png", png);
        Member(key + ".txt", caption);
        Member(key + ".json", json);
        _inShard++;
    }

    public void Dispose()
    {
        _tar?.Dispose();
        _tar = null;
    }

    private void Member(string name, byte[] data)
    {
        using var stream = new MemoryStream(data, writable: false);
        _tar!.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = stream,
            ModificationTime = Epoch,
            Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
            Uid = 0,
            Gid = 0,
            UserName = "",
            GroupName = "",
        });
    }
}
