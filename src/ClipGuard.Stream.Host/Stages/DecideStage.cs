using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Kafka.Streaming;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Stages;

/// <summary>
/// k-NN + score + decide, done by the scorer (no Kafka types inside scoring). During the cold-start bootstrap the
/// scorer buffers samples and decides nothing; their messages stay held until the bootstrap completes.
/// </summary>
internal sealed class DecideStage(StreamScorer scorer, TimeSpan bootstrapTimeout, TimeProvider time, ILogger log)
{
    private bool _warnedUnreachable;
    private bool _warnedCampaigns;
    private readonly List<Revocation> _revoked = [];

    public StreamScorer Scorer => scorer;

    public IReadOnlyList<Verdict> Decide(IReadOnlyList<PendingMessage> fresh)
    {
        bool wasBootstrapping = scorer.Bootstrapping;
        IReadOnlyList<Verdict> verdicts = scorer.Decide([.. fresh.Select(p => p.Sample)]);
        foreach (Revocation r in scorer.DrainRevocations())
        {
            Log.CampaignRevoked(log, r.CampaignId, r.SampleId, r.FromReference, r.FromCalibration);
            _revoked.Add(r);
        }

        if (scorer.Bootstrapping)
        {
            Log.Bootstrapping(log, scorer.BufferedForBootstrap, scorer.BootstrapSize);
        }
        else if (wasBootstrapping)
        {
            Log.BootstrapComplete(log, scorer.Reference.Count, scorer.Threshold);
        }

        WarnWhileBudgetUnreachable();
        if (scorer.CampaignsHeldBack && !_warnedCampaigns)
        {
            Log.CampaignsHeldBack(log, scorer.TrustedStart, scorer.CampaignOptions!.MinimumTrustedStart);
            _warnedCampaigns = true;
        }

        return verdicts;
    }

    /// <summary>Once each time it happens: a calibration too small for the budget quarantines nothing, silently otherwise.</summary>
    private void WarnWhileBudgetUnreachable()
    {
        bool unreachable = scorer.BudgetUnreachable;
        if (unreachable && !_warnedUnreachable)
        {
            if (double.IsNaN(scorer.BudgetConfidence))
            {
                Log.BudgetUnreachable(log, scorer.FalseQuarantineRate, scorer.SmallestPValue, scorer.Calibration!.DensityCount, scorer.CalibrationScoresNeeded);
            }
            else
            {
                Log.BudgetUnreachableWithConfidence(log, scorer.FalseQuarantineRate, scorer.BudgetConfidence, scorer.Calibration!.DensityCount, scorer.CalibrationScoresNeeded);
            }
        }

        _warnedUnreachable = unreachable;
    }

    /// <summary>
    /// A stream quieter than the bootstrap size would otherwise hold its first samples forever: after the timeout,
    /// the bootstrap completes with what it has (as long as that is more than k samples). Null while it need not.
    /// </summary>
    public IReadOnlyList<Verdict>? CompleteBootstrapIfTimedOut(HeldMessages held)
    {
        if (!scorer.Bootstrapping || held.Count == 0 || scorer.BufferedForBootstrap <= scorer.Reference.Options.K
            || time.GetElapsedTime(held.HeldSince) < bootstrapTimeout)
        {
            return null;
        }

        IReadOnlyList<Verdict> verdicts = scorer.CompleteBootstrap();
        Log.BootstrapComplete(log, scorer.Reference.Count, scorer.Threshold);
        return verdicts;
    }

    /// <summary>The revocations of the last decisions (logged already), for <see cref="CampaignRecallStage"/>.</summary>
    public IReadOnlyList<Revocation> DrainRevocations()
    {
        var list = _revoked.ToList();
        _revoked.Clear();
        return list;
    }

    /// <summary>The samples routed clean that the replicated reference log must be offered (none unless replicated).</summary>
    public IReadOnlyList<StreamSample> DrainProposals() => scorer.ReplicatedAdmission ? scorer.DrainProposals() : [];
}
