using System.Text.Json;
using System.Text.Json.Serialization;
using ClipGuard.Stream.Core.Pipeline;

namespace ClipGuard.Stream.Host.Sentinel;

/// <summary>
/// One line of a swap's judgement file (<c>judgements/vNNNNNN-OWNER.jsonl</c>, written when
/// <c>ClipGuard:Sentinel:KeepJudgements</c> is on): a provisional sample as the new model judged it.
/// </summary>
/// <param name="Id">The sample id.</param>
/// <param name="RoutedUnder">The model label it was routed clean under.</param>
/// <param name="Score">Its density score in the new space.</param>
/// <param name="PValue">Its fused p-value (null without the conformal rule).</param>
/// <param name="Recalled">Whether the judgement recalls it.</param>
/// <param name="Campaign">The campaign the judgement found it in, if any.</param>
public sealed record JudgementRecord(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("routed_under")] string RoutedUnder,
    [property: JsonPropertyName("score")] double Score,
    [property: JsonPropertyName("p")] double? PValue,
    [property: JsonPropertyName("recalled")] bool Recalled,
    [property: JsonPropertyName("campaign")] string? Campaign)
{
    /// <summary>Writes a swap's judgements, one JSON line each, replacing the file (written aside, then moved).</summary>
    public static void WriteAll(string path, IEnumerable<JudgementRecord> records)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        string temporary = path + ".tmp";
        using (var writer = new StreamWriter(temporary))
        {
            foreach (JudgementRecord r in records)
            {
                writer.WriteLine(JsonSerializer.Serialize(r, JudgementJsonContext.Default.JudgementRecord));
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a judgement file; a line that is not a record is an error naming the file and line.</summary>
    public static IReadOnlyList<JudgementRecord> ReadAll(string path)
    {
        var records = new List<JudgementRecord>();
        int line = 0;
        foreach (string text in File.ReadLines(path))
        {
            line++;
            if (text.Length == 0)
            {
                continue;
            }

            try
            {
                records.Add(JsonSerializer.Deserialize(text, JudgementJsonContext.Default.JudgementRecord)
                    ?? throw new JsonException("null record"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}:{line}: not a judgement record ({e.Message})", e);
            }
        }

        return records;
    }

    internal static JudgementRecord From(Judgement j, string routedUnder) =>
        new(j.SampleId, routedUnder, j.Score, double.IsNaN(j.PValue) ? null : j.PValue, j.Quarantine, j.Campaign);
}

[JsonSerializable(typeof(JudgementRecord))]
[JsonSourceGenerationOptions(NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
internal sealed partial class JudgementJsonContext : JsonSerializerContext;
