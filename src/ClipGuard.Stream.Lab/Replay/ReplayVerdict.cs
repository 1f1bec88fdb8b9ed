using System.Globalization;
using System.Text;
using ClipGuard.Stream.Core.Pipeline;

namespace ClipGuard.Stream.Lab.Replay;

/// <summary>
/// One replayed sample's verdict beside its label, for looking at what the decision missed: the route, the fused
/// p-value, the density score, the campaign it was quarantined with (or revoked into), and when it arrived; with the
/// scorer replay also each signal's own p-value (which of them made the fused one).
/// </summary>
public sealed record ReplayVerdict(string Key, bool Poisoned, Route Route, double PValue, double Score, string? CampaignId, bool Revoked, int Batch)
{
    /// <summary>The density signal's p-value (NaN where not known, as in the service replay).</summary>
    public double DensityP { get; init; } = double.NaN;

    /// <summary>The agreement signal's p-value (NaN without a caption or where not known).</summary>
    public double AgreementP { get; init; } = double.NaN;

    /// <summary>Writes verdicts as CSV (key,poisoned,route,p,score,campaign,revoked,batch,density_p,agreement_p), invariant culture.</summary>
    public static void WriteCsv(string path, IEnumerable<ReplayVerdict> verdicts)
    {
        ArgumentNullException.ThrowIfNull(verdicts);
        var csv = new StringBuilder("key,poisoned,route,p,score,campaign,revoked,batch,density_p,agreement_p\n");
        foreach (ReplayVerdict v in verdicts)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{v.Key},{(v.Poisoned ? 1 : 0)},{v.Route.ToString().ToLowerInvariant()},{v.PValue:R},{v.Score:R},{v.CampaignId},{(v.Revoked ? 1 : 0)},{v.Batch},{v.DensityP:R},{v.AgreementP:R}\n");
        }

        File.WriteAllText(path, csv.ToString());
    }
}
