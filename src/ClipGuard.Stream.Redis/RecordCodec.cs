using System.Globalization;
using System.Text.Json;
using StackExchange.Redis;

namespace ClipGuard.Stream.Redis;

/// <summary>Maps a <see cref="QuarantineRecord"/> to the fields of its Redis hash and back, and the enums to the names the scripts use.</summary>
internal static class RecordCodec
{
    // Claim fields live in the same hash so a status change and its claim are one atomic write.
    public const string ClaimField = "claim";
    public const string ClaimExpiresField = "claimExpires";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static RedisValue[] ToFields(QuarantineRecord record)
    {
        var fields = new List<RedisValue>(44)
        {
            "id", record.Id,
            "score", Format(record.Score),
            "detector", record.Detector,
            "k", record.K,
            "refSize", record.ReferenceSize,
            "refVersion", record.ReferenceVersion,
            "model", record.ModelVersion,
            "threshold", Format(record.Threshold),
            "nbrIds", JsonSerializer.Serialize(record.NeighbourIds.ToArray(), LedgerJsonContext.Default.StringArray),
            "nbrDist", JsonSerializer.Serialize(record.NeighbourDistances.ToArray(), LedgerJsonContext.Default.DoubleArray),
            "topic", record.SourceTopic,
            "partition", record.SourcePartition,
            "offset", record.SourceOffset,
            "value", record.Value,
            "headers", JsonSerializer.Serialize(record.Headers.ToArray(), LedgerJsonContext.Default.QuarantineHeaderArray),
            "time", LedgerTime.ToUnixMs(record.QuarantinedAt),
            "status", StatusName(QuarantineStatus.Quarantined),
        };
        AddOptional(fields, "key", record.Key);
        AddOptional(fields, "source", record.Source);
        AddOptional(fields, "caption", record.Caption);
        if (record.PValue is { } pValue)
        {
            fields.Add("pValue");
            fields.Add(Format(pValue));
        }

        if (record.CalibrationVersion is { } calibration)
        {
            fields.Add("calibration");
            fields.Add(calibration);
        }

        AddOptional(fields, "campaign", record.Campaign);
        AddOptional(fields, "recalledFrom", record.RecalledFrom);
        return [.. fields];
    }

    public static QuarantineRecord FromFields(IReadOnlyDictionary<string, RedisValue> f) => new()
    {
        Id = f["id"].ToString(),
        Score = ParseDouble(f["score"]),
        Detector = f["detector"].ToString(),
        K = (int)f["k"],
        ReferenceSize = (int)f["refSize"],
        ReferenceVersion = (long)f["refVersion"],
        ModelVersion = f["model"].ToString(),
        Threshold = ParseDouble(f["threshold"]),
        NeighbourIds = JsonSerializer.Deserialize(f["nbrIds"].ToString(), LedgerJsonContext.Default.StringArray) ?? [],
        NeighbourDistances = JsonSerializer.Deserialize(f["nbrDist"].ToString(), LedgerJsonContext.Default.DoubleArray) ?? [],
        SourceTopic = f["topic"].ToString(),
        SourcePartition = (int)f["partition"],
        SourceOffset = (long)f["offset"],
        Key = f.TryGetValue("key", out var key) ? (byte[]?)key : null,
        Value = (byte[])f["value"]!,
        Headers = JsonSerializer.Deserialize(f["headers"].ToString(), LedgerJsonContext.Default.QuarantineHeaderArray) ?? [],
        QuarantinedAt = LedgerTime.FromUnixMs((long)f["time"]),
        Status = ParseStatus(f["status"].ToString()),
        Source = f.TryGetValue("source", out var source) ? source.ToString() : null,
        Caption = f.TryGetValue("caption", out var caption) ? caption.ToString() : null,
        PValue = f.TryGetValue("pValue", out var pValue) ? ParseDouble(pValue) : null,
        CalibrationVersion = f.TryGetValue("calibration", out var calibration) ? (long)calibration : null,
        Campaign = f.TryGetValue("campaign", out var campaign) ? campaign.ToString() : null,
        RecalledFrom = f.TryGetValue("recalledFrom", out var recalledFrom) ? recalledFrom.ToString() : null,
    };

    /// <summary>Reads a flat field, value, field, value... reply (HGETALL inside a script).</summary>
    public static QuarantineRecord? FromFlatReply(RedisResult[] reply, int start)
    {
        if (reply.Length <= start)
        {
            return null;
        }

        var fields = new Dictionary<string, RedisValue>(StringComparer.Ordinal);
        for (int i = start; i + 1 < reply.Length; i += 2)
        {
            fields[reply[i].ToString()] = (RedisValue)reply[i + 1];
        }

        return FromFields(fields);
    }

    public static QuarantineRecord? FromHash(HashEntry[] entries)
    {
        if (entries.Length == 0)
        {
            return null;
        }

        var fields = new Dictionary<string, RedisValue>(entries.Length, StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            fields[entry.Name.ToString()] = entry.Value;
        }

        return FromFields(fields);
    }

    public static string StatusName(QuarantineStatus status) => status switch
    {
        QuarantineStatus.Quarantined => "quarantined",
        QuarantineStatus.Releasing => "releasing",
        QuarantineStatus.Released => "released",
        QuarantineStatus.Rejected => "rejected",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static QuarantineStatus ParseStatus(string name) => name switch
    {
        "quarantined" => QuarantineStatus.Quarantined,
        "releasing" => QuarantineStatus.Releasing,
        "released" => QuarantineStatus.Released,
        "rejected" => QuarantineStatus.Rejected,
        _ => throw new FormatException($"Unknown quarantine status '{name}' in the ledger."),
    };

    public static string ActionName(AuditAction action) => action switch
    {
        AuditAction.Reject => "reject",
        AuditAction.ReleaseClaim => "claim",
        AuditAction.ReleaseConfirm => "confirm",
        AuditAction.ReleaseAbort => "abort",
        _ => throw new ArgumentOutOfRangeException(nameof(action), action, null),
    };

    public static AuditAction ParseAction(string name) => name switch
    {
        "reject" => AuditAction.Reject,
        "claim" => AuditAction.ReleaseClaim,
        "confirm" => AuditAction.ReleaseConfirm,
        "abort" => AuditAction.ReleaseAbort,
        _ => throw new FormatException($"Unknown audit action '{name}' in the ledger."),
    };

    public static TransitionOutcome ParseOutcome(string name) => name switch
    {
        "applied" => TransitionOutcome.Applied,
        "claimed" => TransitionOutcome.Claimed,
        "reclaimed-expired" => TransitionOutcome.ReclaimedExpired,
        "not-found" => TransitionOutcome.NotFound,
        "already-released" => TransitionOutcome.AlreadyReleased,
        "already-rejected" => TransitionOutcome.AlreadyRejected,
        "release-in-progress" => TransitionOutcome.ReleaseInProgress,
        "claim-lost" => TransitionOutcome.ClaimLost,
        _ => throw new FormatException($"Unknown transition outcome '{name}' from the ledger."),
    };

    private static void AddOptional(List<RedisValue> fields, string name, RedisValue value)
    {
        if (!value.IsNull)
        {
            fields.Add(name);
            fields.Add(value);
        }
    }

    private static string Format(double value) => value.ToString("R", Invariant);

    private static double ParseDouble(RedisValue value) => double.Parse(value.ToString(), NumberStyles.Float, Invariant);
}
