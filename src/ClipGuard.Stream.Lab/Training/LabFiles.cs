using System.Globalization;
using System.Text.Json;

namespace ClipGuard.Stream.Lab.Training;

/// <summary>What the lab's training summaries (<see cref="EpochTrack"/>, <see cref="CountCurve"/>) share: reading the JSON other commands left, and a table cell.</summary>
internal static class LabFiles
{
    /// <summary>Reads <paramref name="path"/>; a missing, empty or malformed file names the path and the command that writes it.</summary>
    public static T ReadJson<T>(string path, string producer)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: missing ({producer} writes it)");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(path), JsonSerializerOptions.Web)
                   ?? throw new InvalidDataException($"{path}: empty");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not {producer}'s JSON ({e.Message})");
        }
    }

    /// <summary>Three decimals, or a dash where there is no value.</summary>
    public static string Cell(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) : "—";
}
