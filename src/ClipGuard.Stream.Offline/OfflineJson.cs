using System.Text.Json;

namespace ClipGuard.Stream.Offline;

/// <summary>The JSON files of offline runs (manifests, stats, summaries): indented, camelCase, written atomically.</summary>
public static class OfflineJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void Write<T>(string path, T value) =>
        Core.IO.AtomicFile.Write(path, tmp => File.WriteAllBytes(tmp, JsonSerializer.SerializeToUtf8Bytes(value, Options)));

    /// <summary>The file's value, or null when it does not exist; a damaged file is bad input with its path.</summary>
    public static T? Read<T>(string path)
        where T : class
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllBytes(path), Options) ?? throw new OfflineInputException($"{path}: empty JSON");
        }
        catch (JsonException e)
        {
            throw new OfflineInputException($"{path}: not a valid file of this kind ({e.Message})");
        }
    }
}
