using System.Globalization;
using System.Text;
using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Kafka.Contract;
using Confluent.Kafka;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>
/// The headers of a routed copy: the original message's headers (trace context included) followed by the verdict,
/// so a consumer of any output topic can audit the decision without the ledger.
/// </summary>
public static class VerdictHeaders
{
    public static Headers Build(Verdict verdict, Headers? original, string sourceTopic, int sourcePartition, long sourceOffset)
    {
        var headers = new Headers();
        if (original is not null)
        {
            foreach (IHeader h in original)
            {
                if (!h.Key.StartsWith("clipguard-", StringComparison.Ordinal))
                {
                    headers.Add(h.Key, h.GetValueBytes());
                }
            }
        }

        Add(headers, ClipGuardHeaders.Verdict, RouteName(verdict.Route));
        Add(headers, ClipGuardHeaders.Score, Number(verdict.Score));
        Add(headers, ClipGuardHeaders.Detector, verdict.Detector);
        Add(headers, ClipGuardHeaders.K, verdict.K.ToString(CultureInfo.InvariantCulture));
        Add(headers, ClipGuardHeaders.ReferenceSize, verdict.ReferenceSize.ToString(CultureInfo.InvariantCulture));
        Add(headers, ClipGuardHeaders.ReferenceVersion, verdict.ReferenceVersion.ToString(CultureInfo.InvariantCulture));
        Add(headers, ClipGuardHeaders.ModelVersion, verdict.ModelVersion);
        Add(headers, ClipGuardHeaders.Threshold, Number(verdict.Threshold));
        if (!double.IsNaN(verdict.PValue))
        {
            Add(headers, ClipGuardHeaders.PValue, Number(verdict.PValue));
            Add(headers, ClipGuardHeaders.CalibrationVersion, verdict.CalibrationVersion.ToString(CultureInfo.InvariantCulture));
        }

        if (verdict.CampaignId is { } campaign)
        {
            Add(headers, ClipGuardHeaders.Campaign, campaign);
        }

        Add(headers, ClipGuardHeaders.Reason, verdict.Reason);
        Add(headers, ClipGuardHeaders.SourceTopic, sourceTopic);
        Add(headers, ClipGuardHeaders.SourcePartition, sourcePartition.ToString(CultureInfo.InvariantCulture));
        Add(headers, ClipGuardHeaders.SourceOffset, sourceOffset.ToString(CultureInfo.InvariantCulture));
        return headers;
    }

    /// <summary>Marks a clean copy provisional until <paramref name="finalAt"/> (docs/sentinel.md).</summary>
    public static void AddProvisional(Headers headers, DateTimeOffset finalAt)
    {
        ArgumentNullException.ThrowIfNull(headers);
        Add(headers, ClipGuardHeaders.Final, "false");
        Add(headers, ClipGuardHeaders.FinalAt, finalAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
    }

    public static string RouteName(Route route) => route switch
    {
        Route.Clean => VerdictValues.Clean,
        Route.Quarantine => VerdictValues.Quarantine,
        Route.DeadLetter => VerdictValues.DeadLetter,
        _ => throw new ArgumentOutOfRangeException(nameof(route), route, null),
    };

    /// <summary>Round-trip formatting; a dead-lettered sample has no score, written as an empty value.</summary>
    private static string Number(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : string.Empty;

    private static void Add(Headers headers, string name, string value) => headers.Add(name, Encoding.UTF8.GetBytes(value));
}
