using System.Text;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Redis;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Operator;

/// <summary>
/// An operator's decision on a quarantined sample: release (republish the original message to the clean topic, exactly
/// once) or reject. Follows the ledger's claim, republish, confirm-or-abort protocol (see <see cref="IQuarantineLedger"/>).
/// </summary>
/// <remarks>
/// Once a claim is held the call no longer honours cancellation: a publish cannot be recalled, and a claim abandoned
/// half way leaves the sample <see cref="QuarantineStatus.Releasing"/> until it expires. Cancellation (an HTTP client
/// hanging up) therefore only stops a call that has not claimed yet.
/// </remarks>
public sealed class QuarantineReleaser
{
    public const int MaxActorLength = 128;
    public const int MaxReasonLength = 1_024;

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);

    private readonly IQuarantineLedger _ledger;
    private readonly CleanTopicPublisher _publisher;
    private readonly TimeProvider _time;
    private readonly ILogger<QuarantineReleaser> _logger;

    public QuarantineReleaser(
        IQuarantineLedger ledger,
        CleanTopicPublisher publisher,
        TimeProvider time,
        ILogger<QuarantineReleaser> logger)
    {
        _ledger = ledger;
        _publisher = publisher;
        _time = time;
        _logger = logger;
    }

    /// <summary>Why <paramref name="actor"/> cannot name an operator, or null when it can.</summary>
    public static string? ActorError(string? actor) =>
        string.IsNullOrWhiteSpace(actor) ? "the actor is required"
        : actor.Length > MaxActorLength ? $"the actor has more than {MaxActorLength} characters"
        : actor.Any(char.IsControl) ? "the actor contains control characters"
        : null;

    /// <summary>Why <paramref name="reason"/> cannot be recorded, or null when it can.</summary>
    public static string? ReasonError(string? reason) =>
        reason is { Length: > MaxReasonLength } ? $"the reason has more than {MaxReasonLength} characters" : null;

    /// <summary>Releases <paramref name="id"/>: republishes its original message to the clean topic, at most once per claim.</summary>
    public async Task<OperatorResult> ReleaseAsync(string id, string actor, string reason, CancellationToken cancellationToken = default)
    {
        CheckArguments(id, actor, reason);
        TransitionResult claim;
        try
        {
            claim = await _ledger.TryTransitionAsync(id, QuarantineStatus.Released, actor, reason, cancellationToken).ConfigureAwait(false);
        }
        catch (LedgerUnavailableException ex)
        {
            // A claim that timed out may still have landed: then the sample reads releasing until the claim expires.
            return new OperatorResult(id, OperatorOutcome.Unavailable, null,
                $"quarantine ledger unavailable, nothing was published ({ex.Message}); if the sample reads 'releasing', release it again after the claim expires");
        }

        if (!claim.MustRepublish)
        {
            return FromTransition(id, claim);
        }

        if (claim.Outcome == TransitionOutcome.ReclaimedExpired)
        {
            Log.ReclaimedExpired(_logger, actor, id);
        }

        return await RepublishAsync(id, actor, reason, claim).ConfigureAwait(false);
    }

    /// <summary>Rejects <paramref name="id"/> for good; nothing is published.</summary>
    public async Task<OperatorResult> RejectAsync(string id, string actor, string reason, CancellationToken cancellationToken = default)
    {
        CheckArguments(id, actor, reason);
        OperatorResult result;
        try
        {
            result = FromTransition(id, await _ledger.TryTransitionAsync(
                id, QuarantineStatus.Rejected, actor, reason, cancellationToken).ConfigureAwait(false));
        }
        catch (LedgerUnavailableException ex)
        {
            result = new OperatorResult(id, OperatorOutcome.Unavailable, null,
                $"quarantine ledger unavailable; the reject may or may not have landed ({ex.Message})");
        }

        Log.Rejected(_logger, actor, id, result.Outcome);
        return result;
    }

    private async Task<OperatorResult> RepublishAsync(string id, string actor, string reason, TransitionResult claim)
    {
        // The record comes with the claim, read atomically with it: exactly the bytes the claim is for.
        QuarantineRecord record = claim.Record!;
        string token = claim.ClaimToken!;
        DateTimeOffset expires = claim.ClaimExpiresAt!.Value;
        DeliveryResult<byte[], byte[]> delivered;
        try
        {
            delivered = await _publisher.PublishAsync(CopyOf(record, actor)).ConfigureAwait(false);
        }
        catch (KafkaException ex)
        {
            var persistence = (ex as ProduceException<byte[], byte[]>)?.DeliveryResult?.Status ?? PersistenceStatus.NotPersisted;
            Log.PublishFailed(_logger, id, _publisher.Topic, persistence.ToString(), ex.Error.Reason, ex);
            var abort = await RetryLedgerAsync("aborting the release", id, expires, () =>
                _ledger.AbortReleaseAsync(id, token, actor, $"republish failed: {ex.Error.Reason}", CancellationToken.None)).ConfigureAwait(false);
            string left = abort is null
                ? $"the claim could not be given back and expires at {expires:O}; release again after that"
                : "the claim was given back; release again when Kafka is reachable";
            string maybe = persistence == PersistenceStatus.PossiblyPersisted ? " (the broker may have stored a copy)" : string.Empty;
            return new OperatorResult(id, OperatorOutcome.Unavailable, abort?.Record ?? record with { Status = QuarantineStatus.Releasing },
                $"publishing to {_publisher.Topic} failed{maybe}: {ex.Error.Reason}; {left}");
        }

        var confirm = await RetryLedgerAsync("confirming the release", id, expires, () =>
            _ledger.ConfirmReleaseAsync(id, token, actor, CancellationToken.None)).ConfigureAwait(false);
        if (confirm is null)
        {
            Log.ConfirmAbandoned(_logger, id, expires);
            return new OperatorResult(id, OperatorOutcome.Unavailable, record with { Status = QuarantineStatus.Releasing },
                $"published to {_publisher.Topic}, but the ledger could not record it before the claim expired at {expires:O}; " +
                "a later release republishes (consumers deduplicate by key)");
        }

        switch (confirm.Outcome)
        {
            case TransitionOutcome.Applied:
            case TransitionOutcome.AlreadyReleased: // a retried confirm whose first attempt landed
                Log.Released(_logger, actor, id, delivered.Topic, delivered.Partition.Value, delivered.Offset.Value);
                return new OperatorResult(id, OperatorOutcome.Applied, confirm.Record, claim.Outcome == TransitionOutcome.ReclaimedExpired
                    ? "took over an expired release claim: the clean topic may hold two copies (consumers deduplicate by key)"
                    : string.Empty);
            case TransitionOutcome.ClaimLost:
                Log.ClaimLost(_logger, id, confirm.Outcome);
                return new OperatorResult(id, OperatorOutcome.Applied, confirm.Record,
                    "published, but the claim expired first and another release took it over; the clean topic may hold two copies");
            case TransitionOutcome.NotFound:
                return new OperatorResult(id, OperatorOutcome.NotFound, null, "the record vanished from the ledger after it was claimed");
            default:
                throw new InvalidOperationException($"the ledger answered {confirm.Outcome} to the confirm of a held claim on {id}");
        }
    }

    /// <summary>Retries a status change through outages until the claim expires; null when it never got through.</summary>
    private async Task<TransitionResult?> RetryLedgerAsync(string step, string id, DateTimeOffset claimExpires, Func<Task<TransitionResult>> call)
    {
        TimeSpan delay = FirstRetryDelay;
        while (true)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (LedgerUnavailableException ex)
            {
                if (_time.GetUtcNow() + delay >= claimExpires)
                {
                    return null;
                }

                Log.LedgerRetry(_logger, step, id, delay, ex);
                await Task.Delay(delay, _time).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private static Message<byte[], byte[]> CopyOf(QuarantineRecord record, string actor)
    {
        var headers = new Headers();
        foreach (QuarantineHeader header in record.Headers)
        {
            headers.Add(header.Name, header.Value);
        }

        headers.Add(ClipGuardHeaders.ReleasedBy, Encoding.UTF8.GetBytes(actor));
        // A null key stays null: the original had none, and the copy must match it.
        return new Message<byte[], byte[]> { Key = record.Key!, Value = record.Value, Headers = headers };
    }

    private static OperatorResult FromTransition(string id, TransitionResult result) => result.Outcome switch
    {
        TransitionOutcome.Applied => new(id, OperatorOutcome.Applied, result.Record),
        TransitionOutcome.AlreadyReleased => new(id, OperatorOutcome.AlreadyReleased, result.Record),
        TransitionOutcome.AlreadyRejected => new(id, OperatorOutcome.AlreadyRejected, result.Record),
        TransitionOutcome.ReleaseInProgress => new(id, OperatorOutcome.InProgress, result.Record,
            "another release holds the claim and is republishing"),
        TransitionOutcome.NotFound => new(id, OperatorOutcome.NotFound, null),
        _ => throw new InvalidOperationException($"the ledger answered {result.Outcome} to a decision on {id}"),
    };

    private static void CheckArguments(string id, string actor, string reason)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        ArgumentNullException.ThrowIfNull(reason);
        if (ActorError(actor) is { } actorError)
        {
            throw new ArgumentException(actorError, nameof(actor));
        }

        if (ReasonError(reason) is { } reasonError)
        {
            throw new ArgumentException(reasonError, nameof(reason));
        }
    }
}
