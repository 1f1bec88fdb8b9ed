using System.Security.Cryptography;
using System.Text;

namespace ClipGuard.Stream.Host.Reembedding;

/// <summary>
/// The encoded images of reference members and hold-back samples, one file each on disk, so that a changed checkpoint
/// can re-embed the reference set. Kept as the crawler sent them (JPEG/PNG/WebP bytes, typically 10–100 KB) rather than
/// as preprocessed pixels (224² × 3 floats = 602 KB each): disk holds them, memory holds none of them. File names are
/// the SHA-256 of the sample id, so any id is a safe name. Each write goes to a temporary sibling renamed over the name,
/// so a reader never sees half a file; it is not fsynced (one per image would throttle the stream), so a power cut can
/// lose the newest images: their samples are then dropped at the next re-embedding, like samples without an image.
/// Not thread-safe for the same id; the stream's single processing loop owns it.
/// </summary>
public sealed class ReferenceImageStore
{
    private const string Extension = ".img";
    private const string CaptionExtension = ".txt";

    public ReferenceImageStore(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = System.IO.Directory.CreateDirectory(directory).FullName;
    }

    public string Directory { get; }

    public int Count => System.IO.Directory.EnumerateFiles(Directory, "*" + Extension).Count();

    /// <summary>Bytes on disk over all stored images.</summary>
    public long Bytes => System.IO.Directory.EnumerateFiles(Directory, "*" + Extension).Sum(f => new FileInfo(f).Length);

    /// <summary>Stores a sample's image, and its caption when given (a model swap re-embeds both; docs/sentinel.md).</summary>
    public void Put(string id, ReadOnlySpan<byte> encodedImage, string? caption = null)
    {
        if (caption is not null)
        {
            string captionPath = CaptionPathOf(id);
            string captionTemp = captionPath + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
            File.WriteAllText(captionTemp, caption);
            File.Move(captionTemp, captionPath, overwrite: true);
        }

        string path = PathOf(id);
        string temp = path + ".tmp-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(encodedImage);
        }

        File.Move(temp, path, overwrite: true);
    }

    public bool Contains(string id) => File.Exists(PathOf(id));

    /// <summary>The stored bytes, or null when the id has none (embedding-only samples never have any).</summary>
    public byte[]? Read(string id)
    {
        try
        {
            return File.ReadAllBytes(PathOf(id));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>The stored caption, or null when the id has none.</summary>
    public string? ReadCaption(string id)
    {
        try
        {
            return File.ReadAllText(CaptionPathOf(id));
        }
        catch (FileNotFoundException)
        {
            return null;
        }
    }

    public bool Remove(string id)
    {
        File.Delete(CaptionPathOf(id));
        string path = PathOf(id);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    /// <summary>
    /// Deletes every image whose id is not in <paramref name="keep"/> (evicted, not sampled, revoked) and that was
    /// written before <paramref name="writtenBefore"/>. The grace period matters when replicas share the directory: a
    /// sample another replica cleared a moment ago may not have reached this replica's reference yet. Returns how many.
    /// </summary>
    public int Prune(IEnumerable<string> keep, DateTime? writtenBefore = null)
    {
        ArgumentNullException.ThrowIfNull(keep);
        var names = keep.Select(FileName).ToHashSet(StringComparer.Ordinal);
        DateTime cutoff = writtenBefore ?? DateTime.MaxValue;
        int removed = 0;
        foreach (string file in System.IO.Directory.EnumerateFiles(Directory, "*" + Extension).ToList())
        {
            if (!names.Contains(Path.GetFileName(file)) && File.GetLastWriteTimeUtc(file) < cutoff)
            {
                File.Delete(file);
                File.Delete(Path.ChangeExtension(file, CaptionExtension));
                removed++;
            }
        }

        return removed;
    }

    private string PathOf(string id) => Path.Combine(Directory, FileName(id));

    private string CaptionPathOf(string id) => Path.ChangeExtension(PathOf(id), CaptionExtension);

    private static string FileName(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id))) + Extension;
    }
}
