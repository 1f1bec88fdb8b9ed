using System.Globalization;
using System.Text;
using ClipGuard.Stream.Host.Api;
using ClipGuard.Stream.Host.Operator;

namespace ClipGuard.Stream.Cli.Quarantine;

/// <summary>The human-readable output of <c>clipguard quarantine</c>; <c>--json</c> writes the API's JSON instead.</summary>
internal static class QuarantineText
{
    private const int CaptionWidth = 60;

    public static void WritePage(QuarantinePage page, TextWriter output)
    {
        var table = new TextTable("ID", "STATUS", "SCORE", "THRESHOLD", "SOURCE", "QUARANTINED (UTC)", "NEAREST", "CAPTION");
        foreach (QuarantineView v in page.Items)
        {
            table.Add(
                v.Id,
                OperatorNames.Of(v.Status),
                Number(v.Score),
                Number(v.Threshold),
                v.Source ?? "-",
                Time(v.QuarantinedAt),
                v.Neighbours.Count == 0 ? "-" : $"{v.Neighbours[0].Id} ({Number(v.Neighbours[0].Distance)})",
                Shorten(v.Caption ?? string.Empty));
        }

        table.Write(output);
    }

    public static void WriteRecord(QuarantineView v, TextWriter output)
    {
        var fields = new TextTable("FIELD", "VALUE");
        fields.Add("id", v.Id);
        fields.Add("status", OperatorNames.Of(v.Status));
        fields.Add("source", v.Source ?? "-");
        fields.Add("caption", v.Caption ?? string.Empty);
        fields.Add("score", Number(v.Score));
        fields.Add("threshold", Number(v.Threshold));
        fields.Add("detector", $"{v.Detector} (k={v.K.ToString(CultureInfo.InvariantCulture)})");
        fields.Add("reference", $"size {v.ReferenceSize.ToString(CultureInfo.InvariantCulture)}, version {v.ReferenceVersion.ToString(CultureInfo.InvariantCulture)}");
        fields.Add("model", v.ModelVersion);
        fields.Add("quarantined", Time(v.QuarantinedAt));
        fields.Add("input", string.Create(CultureInfo.InvariantCulture, $"{v.SourceTopic} [{v.SourcePartition}] @{v.SourceOffset}"));
        fields.Add("key", v.KeyBase64 is null ? "-" : Printable(Convert.FromBase64String(v.KeyBase64)));
        fields.Add("value", v.ValueBase64 is null ? "-" : $"{Convert.FromBase64String(v.ValueBase64).Length.ToString(CultureInfo.InvariantCulture)} bytes");
        foreach (HeaderView h in v.Headers ?? [])
        {
            fields.Add($"header {h.Name}", h.ValueBase64 is null ? "(null)" : Printable(Convert.FromBase64String(h.ValueBase64)));
        }

        for (int i = 0; i < v.Neighbours.Count; i++)
        {
            fields.Add($"neighbour {(i + 1).ToString(CultureInfo.InvariantCulture)}", $"{v.Neighbours[i].Id} ({Number(v.Neighbours[i].Distance)})");
        }

        fields.Write(output);
    }

    public static void WriteAudit(AuditTrail trail, TextWriter output)
    {
        var table = new TextTable("TIME (UTC)", "ACTOR", "ACTION", "OUTCOME", "REASON");
        foreach (AuditView e in trail.Entries)
        {
            table.Add(Time(e.Time), e.Actor, OperatorNames.Of(e.Action), OperatorNames.Of(e.Outcome), e.Reason);
        }

        table.Write(output);
    }

    public static void WriteDecision(string verb, DecisionView d, TextWriter output)
    {
        string status = d.Status is { } s ? OperatorNames.Of(s) : "-";
        string line = $"{verb} {d.Id}: {OperatorNames.Of(d.Outcome)} (status {status})";
        output.WriteLine(d.Detail.Length == 0 ? line : $"{line}: {d.Detail}");
    }

    private static string Number(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length <= CaptionWidth ? text : string.Concat(text.AsSpan(0, CaptionWidth - 1), "…");

    /// <summary>UTF-8 text as is; anything else (binary header values) as hex, so the terminal never receives raw bytes.</summary>
    private static string Printable(byte[] bytes)
    {
        try
        {
            string text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            if (!text.Any(char.IsControl))
            {
                return text;
            }
        }
        catch (DecoderFallbackException)
        {
            // Not UTF-8: shown as hex below.
        }

        return "0x" + Convert.ToHexStringLower(bytes);
    }
}
