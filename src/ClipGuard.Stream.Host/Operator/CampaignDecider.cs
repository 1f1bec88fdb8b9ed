using ClipGuard.Stream.Redis;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Operator;

/// <summary>
/// One operator decision on every member of a campaign that still awaits one. Each member goes through
/// <see cref="QuarantineReleaser"/> exactly as a single decision does (a release claims, republishes to the clean
/// topic and confirms: one copy per member), audited with a reason that names the bulk action
/// (<see cref="AuditReason"/>). Members are read a page at a time from the campaign's index of quarantined members,
/// so a campaign of any size never sits in memory at once.
/// </summary>
/// <remarks>
/// Members decided earlier, or being released by another caller, are skipped. The first outage (Redis or Kafka
/// unreachable) stops the call: members not reached stay quarantined, and calling again carries on from there.
/// </remarks>
public sealed class CampaignDecider
{
    /// <summary>Members read, then decided, per page.</summary>
    public const int PageSize = 500;

    /// <summary>Members of a page decided at once.</summary>
    public const int Parallelism = 8;

    /// <summary>Failures listed per call; <see cref="CampaignDecision.Failed"/> counts them all.</summary>
    public const int MaxFailuresListed = 100;

    private readonly IQuarantineLedger _ledger;
    private readonly QuarantineReleaser _releaser;
    private readonly ILogger<CampaignDecider> _logger;

    public CampaignDecider(IQuarantineLedger ledger, QuarantineReleaser releaser, ILogger<CampaignDecider> logger)
    {
        _ledger = ledger;
        _releaser = releaser;
        _logger = logger;
    }

    /// <summary>The reason each member's audit entry records for a bulk decision: the bulk action, then the operator's reason.</summary>
    public static string AuditReason(string campaign, QuarantineStatus to, string reason) => AuditPrefix(campaign, to) + reason;

    /// <summary>
    /// Why <paramref name="reason"/> cannot go with a bulk decision, or null when it can: a bulk decision needs one,
    /// and it must fit <see cref="QuarantineReleaser.MaxReasonLength"/> together with <see cref="AuditReason"/>'s prefix.
    /// </summary>
    public static string? ReasonError(string campaign, QuarantineStatus to, string? reason)
    {
        if (string.IsNullOrWhiteSpace(reason))
        {
            return "a campaign decision needs a reason";
        }

        string prefix = AuditPrefix(campaign, to);
        int room = QuarantineReleaser.MaxReasonLength - prefix.Length;
        return reason.Length > room
            ? $"the reason has more than {Math.Max(0, room)} characters (the audit puts '{prefix.TrimEnd()}' before it)"
            : null;
    }

    /// <summary>Releases (republishes to the clean topic) or rejects every quarantined member of <paramref name="campaign"/>.</summary>
    /// <param name="to"><see cref="QuarantineStatus.Released"/> or <see cref="QuarantineStatus.Rejected"/>.</param>
    /// <returns>Null when no record in the ledger names the campaign.</returns>
    /// <exception cref="LedgerUnavailableException">The campaign could not be looked up; nothing was decided.</exception>
    public async Task<CampaignDecision?> DecideAsync(
        string campaign, QuarantineStatus to, string actor, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(campaign);
        Func<string, string, string, CancellationToken, Task<OperatorResult>> decide = to switch
        {
            QuarantineStatus.Released => _releaser.ReleaseAsync,
            QuarantineStatus.Rejected => _releaser.RejectAsync,
            _ => throw new ArgumentOutOfRangeException(nameof(to), to, "A campaign decision releases or rejects."),
        };
        if (ReasonError(campaign, to, reason) is { } reasonError)
        {
            throw new ArgumentException(reasonError, nameof(reason));
        }

        if (await _ledger.GetCampaignAsync(campaign, cancellationToken).ConfigureAwait(false) is not { } summary)
        {
            return null;
        }

        var tally = new Tally(summary.Total - summary.Quarantined);
        string audited = AuditReason(campaign, to, reason);

        // Decided members leave the quarantined index, so the next page starts where this one did, past the members
        // that stayed in it (not found when decided: their record vanished, the index entry did not).
        int offset = 0;
        while (tally.StoppedBy is null)
        {
            IReadOnlyList<QuarantineRecord> page;
            try
            {
                page = await _ledger.ListCampaignAsync(campaign, QuarantineStatus.Quarantined, offset, PageSize, cancellationToken).ConfigureAwait(false);
            }
            catch (LedgerUnavailableException ex)
            {
                tally.StoppedBy = $"quarantine ledger unavailable ({ex.Message})";
                break;
            }

            if (page.Count == 0)
            {
                break;
            }

            int decided = 0, stayed = 0;
            foreach (OperatorResult? result in await DecidePageAsync(page, decide, actor, audited, cancellationToken).ConfigureAwait(false))
            {
                if (result is not null)
                {
                    decided++;
                    stayed += tally.Add(result);
                }
            }

            if (stayed == decided)
            {
                break; // none left the index: the next read would meet the same members again
            }

            offset += stayed;
        }

        var decision = new CampaignDecision(campaign, to, tally.Applied, tally.Skipped, tally.Failed, tally.Failures, tally.StoppedBy);
        if (decision.StoppedBy is { } why)
        {
            Log.CampaignDecisionStopped(_logger, actor, to, campaign, decision.Applied, why);
        }
        else
        {
            Log.CampaignDecided(_logger, actor, to, campaign, decision.Applied, decision.Skipped, decision.Failed);
        }

        return decision;
    }

    private static string AuditPrefix(string campaign, QuarantineStatus to) => to switch
    {
        QuarantineStatus.Released => $"campaign {campaign} bulk release: ",
        QuarantineStatus.Rejected => $"campaign {campaign} bulk reject: ",
        _ => throw new ArgumentOutOfRangeException(nameof(to), to, "A campaign decision releases or rejects."),
    };

    /// <summary>Decides a page, <see cref="Parallelism"/> members at a time; an outage stops members not started yet (their slot stays null).</summary>
    private static async Task<OperatorResult?[]> DecidePageAsync(
        IReadOnlyList<QuarantineRecord> page,
        Func<string, string, string, CancellationToken, Task<OperatorResult>> decide,
        string actor,
        string reason,
        CancellationToken cancellationToken)
    {
        var results = new OperatorResult?[page.Count];
        using var outage = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, page.Count),
                new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = outage.Token },
                async (i, _) =>
                {
                    // The caller's token, not the outage's: the releaser honours it only until it holds a claim.
                    OperatorResult result = await decide(page[i].Id, actor, reason, cancellationToken).ConfigureAwait(false);
                    results[i] = result;
                    if (result.Outcome == OperatorOutcome.Unavailable)
                    {
                        await outage.CancelAsync().ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // An outage: the members not started stay quarantined for the next call.
        }

        return results;
    }

    private sealed class Tally(long skipped)
    {
        private readonly List<OperatorResult> _failures = [];

        public long Applied { get; private set; }

        public long Skipped { get; private set; } = skipped;

        public long Failed { get; private set; }

        public IReadOnlyList<OperatorResult> Failures => _failures;

        public string? StoppedBy { get; set; }

        /// <summary>Counts one member's result; 1 when the member stays in the quarantined index, else 0.</summary>
        public int Add(OperatorResult result)
        {
            switch (result.Outcome)
            {
                case OperatorOutcome.Applied:
                    Applied++;
                    return 0;
                case OperatorOutcome.AlreadyReleased or OperatorOutcome.AlreadyRejected or OperatorOutcome.InProgress:
                    Skipped++;
                    return 0;
                default:
                    Failed++;
                    if (_failures.Count < MaxFailuresListed)
                    {
                        _failures.Add(result);
                    }

                    if (result.Outcome == OperatorOutcome.Unavailable)
                    {
                        StoppedBy ??= result.Detail;
                    }

                    return 1;
            }
        }
    }
}
