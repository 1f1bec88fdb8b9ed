using System.Globalization;
using System.Text;
using ClipGuard.Stream.Core.Pipeline;

namespace ClipGuard.Stream.Lab.Replay;

/// <summary>
/// One replayed sample's verdict beside its label, for looking at what the decision missed: the route, the fused
/// p-value, the density score, the campaign it was quarantined with (or revoked into), and when it arrived.
/// </summary>
public sealed record ReplayVerdict(string Key, bool Poisoned, Route Route, double PValue, double Score, string? CampaignId, bool Revoked, int Batch)
{
    /// <summary>Writes verdicts as CSV (key,poisoned,route,p,score,campaign,revoked,batch), invariant culture.</summary>
    public static void WriteCsv(string path, IEnumerable<ReplayVerdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        var csv = new StringBuilder("key,poisoned,route,p,score,campaign,revoked,batch\n");
        foreach (ReplayVerdict v in verdicts)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{v.Key},{(v.Poisoned ? 1 : 0)},{v.Route.ToString().ToLowerInvariant()},{v.PValue:R},{v.Score:R},{v.CampaignId},{(v.Revoked ? 1 : 0)},{v.Batch}\n");
        }

        File.WriteAllText(path, csv.ToString());
    }
}
