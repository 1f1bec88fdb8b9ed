using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Offline.Reading;

/// <summary>
/// Turns the members of one key into a sample, or counts and logs why not. Pure apart from the counters and the
/// log, so both layouts share the same rules: an image extension must match the image's bytes, a caption comes from
/// KEY.txt, else KEY.json's "caption", else the shard's parquet row.
/// </summary>
public sealed class SampleAssembler(string shard, SkipCounts skips, ILogger logger, IReadOnlyDictionary<string, MetadataRow>? parquet = null)
{
    public DatasetSample? Assemble(string key, IReadOnlyList<Member> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        Member? image = null, caption = null, json = null;
        foreach (var m in members)
        {
            switch (MemberNames.KindOfExtension(m.Extension))
            {
                case MemberKind.Image:
                    Keep(ref image, m, key);
                    break;
                case MemberKind.Caption:
                    Keep(ref caption, m, key);
                    break;
                case MemberKind.Json:
                    Keep(ref json, m, key);
                    break;
                default:
                    Skip(key, SkipReason.UnknownMember, $"member {key}.{m.Extension} is not an image (jpg, jpeg, png, webp), a caption (txt) or metadata (json)");
                    break;
            }
        }

        var (jsonCaption, url) = json is null ? (null, null) : ReadJson(key, json.Data);
        MetadataRow? row = parquet is not null && parquet.TryGetValue(key, out var r) ? r : null;
        string? text = Usable(caption is null ? null : Utf8(caption.Data)) ?? Usable(jsonCaption) ?? Usable(row?.Caption);
        if (image is null)
        {
            Skip(key, SkipReason.MissingImage, "no image member (jpg, jpeg, png, webp)");
            return null;
        }

        string promised = ImageFormatSniffer.FormatOfExtension(image.Extension);
        if (ImageFormatSniffer.Detect(image.Data) is { } actual && actual != promised)
        {
            Skip(key, SkipReason.WrongExtension, $"{key}.{image.Extension} holds {actual} data");
            return null;
        }

        if (text is null)
        {
            Skip(key, SkipReason.MissingCaption, "no caption in .txt, .json or the shard's parquet");
            return null;
        }

        return new DatasetSample(key, image.Data, text, url ?? row?.Url);
    }

    /// <summary>Counts and logs a skip found outside a sample's members (truncation, oversize, decoding).</summary>
    public void Skip(string key, SkipReason reason, string detail) => Skip(key, SkipReasons.Code(reason), detail);

    /// <summary>Counts and logs a skip under a code of its own (the decoder's image_* codes).</summary>
    public void Skip(string key, string code, string detail)
    {
        skips.Add(code);
        Log.Skipped(logger, shard, key, code, detail);
    }

    private void Keep(ref Member? slot, Member m, string key)
    {
        if (slot is null)
        {
            slot = m;
        }
        else
        {
            Skip(key, SkipReason.DuplicateMember, $"second member {key}.{m.Extension} ignored; {key}.{slot.Extension} is used");
        }
    }

    private (string? Caption, string? Url) ReadJson(string key, byte[] data)
    {
        try
        {
            using var doc = JsonDocument.Parse(data);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                Skip(key, SkipReason.BadJson, $"{key}.json is a {doc.RootElement.ValueKind}, not an object");
                return (null, null);
            }

            return (StringProperty(doc.RootElement, "caption"), StringProperty(doc.RootElement, "url"));
        }
        catch (JsonException e)
        {
            Skip(key, SkipReason.BadJson, $"{key}.json: {e.Message}");
            return (null, null);
        }
        catch (InvalidOperationException e)
        {
            // JsonDocument checks a string's UTF-8 only when it is read (found by fuzzing).
            Skip(key, SkipReason.BadJson, $"{key}.json: a string is not valid UTF-8 ({e.Message})");
            return (null, null);
        }
    }

    private static string? StringProperty(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static string Utf8(byte[] data) => Encoding.UTF8.GetString(data);

    private static string? Usable(string? caption) => string.IsNullOrWhiteSpace(caption) ? null : caption.Trim();
}
