using ClipGuard.Stream.Core.Pipeline;
using ClipGuard.Stream.Host.Reembedding;
using ClipGuard.Stream.Host.Sentinel;
using ClipGuard.Stream.Host.Settings;
using ClipGuard.Stream.Host.Telemetry;
using ClipGuard.Stream.Host.Worker;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Kafka.Streaming;
using ClipGuard.Stream.Redis;
using Microsoft.Extensions.Logging;

namespace ClipGuard.Stream.Host.Stages;

/// <summary>
/// The hot swap (docs/sentinel.md), run on the stream thread between two batches, so no message is in flight: the
/// final reference members' stored images and captions (members still in the provisional window are left out) are
/// embedded by the new model and become the new reference
/// (<see cref="StreamScorer.SwapModel"/>), the next batch is embedded by the new model, the reference is snapshotted
/// under the new label, and the provisional window's clean samples are judged again. Those the new model would
/// quarantine are recalled: recorded in the ledger first (with their original message, like any quarantine), then
/// published to the recall topic and acknowledged. Recalls that could not be delivered are kept and retried by the
/// next <see cref="RetryRecalls"/>. Under <see cref="RejudgePolicy.Once"/> a swap judges only the samples routed under
/// the model it replaces (those routed earlier were judged by an earlier swap), so a clean verdict meets one
/// re-judgement and the budget once; under <see cref="RejudgePolicy.EveryRound"/> it judges the whole provisional window.
/// </summary>
internal sealed class ModelSwapStage(
    ImageEmbedding embedding,
    ImageEmbedStage embed,
    ReferenceImageStore? images,
    PairWindow? window,
    SeedPairs? seed,
    RejudgePolicy rejudge,
    bool keepJudgements,
    IQuarantineLedger ledger,
    IOutputProducer recalls,
    KafkaStreamOptions kafka,
    ReferenceUpkeep upkeep,
    ClipGuardInstrumentation telemetry,
    TimeProvider time,
    ILogger log)
{
    private readonly RecallPublisher _recalls = new(ledger, recalls, kafka.RecallTopic);

    /// <summary>The sentinel version whose judgement completes once the queued recalls are delivered (0: none).</summary>
    private int _judging;

    /// <summary>Recalls recorded or published by no swap yet (a ledger or broker failure); retried by <see cref="RetryRecalls"/>.</summary>
    public int Undelivered => _recalls.Undelivered;

    public ModelSwapOutcome Swap(StreamScorer scorer, StreamImageEmbedder next, int sentinelVersion, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(scorer);
        ArgumentNullException.ThrowIfNull(next);
        long start = time.GetTimestamp();
        string from = scorer.Reference.ModelVersion ?? embedding.Pipeline?.ModelVersionLabel ?? "precomputed";
        if (next.EmbedDim != scorer.Dimension)
        {
            throw new InvalidOperationException($"the checkpoint embeds to d = {next.EmbedDim}, the stream's reference has d = {scorer.Dimension}");
        }

        if (images is null)
        {
            throw new InvalidOperationException("ClipGuard:Stream:ReferenceImages is not set: the reference cannot be re-embedded");
        }

        IReadOnlyList<ProvisionalSample> provisional = window?.Provisional() ?? [];
        // Members still provisional are not carried over: they are judged again below like every provisional sample
        // (a campaign's samples that reached the reference would otherwise vouch for the campaign in the new space).
        // The whole trusted seed comes along, members or not: re-scores evict a few of its members each time, and the
        // new space's calibration must not shrink below what the budget needs.
        var provisionalIds = provisional.Select(p => p.Record.Id).ToHashSet(StringComparer.Ordinal);
        // With a fitting half (pairs every sentinel trains on), only the other half calibrates the arrivals, which the
        // sentinel never saw; the fitting half calibrates the judgement of the window below, which it trained on.
        // Each sidecar is read once.
        IReadOnlyList<string> calibratingIds = seed?.CalibratingIds() ?? [];
        IReadOnlyList<string> fitIds = seed?.FittingIds() ?? [];
        IReadOnlyList<string> seedIds = [.. calibratingIds, .. fitIds];
        IReadOnlySet<string>? trusted = seedIds.Count == 0 ? null
            : (fitIds.Count > 0 ? calibratingIds : seedIds).ToHashSet(StringComparer.Ordinal);
        var members = seedIds.Union(scorer.Reference.MemberIds.Where(id => !provisionalIds.Contains(id)), StringComparer.Ordinal)
            .Take(scorer.Reference.Options.Capacity).ToList();
        Log.ModelSwapStarting(log, sentinelVersion, from, next.ModelVersionLabel, members.Count, provisional.Count);
        EmbeddedPairs moved = PairEmbedder.Embed(
            members, id => images.Read(id) is { } bytes ? (bytes, images.ReadCaption(id)) : seed?.Read(id) is { } pair ? (pair.Image, pair.Caption) : null, next.Pipeline, scorer.Dimension, scorer.UsesCaptions, cancel);

        // From here on the scorer lives in the new space: the embedder must change with it before the next batch.
        ModelSwapReport report = scorer.SwapModel(next.ModelVersionLabel, moved.Ids, moved.Images, moved.Captions, trusted);
        embed.Use(next.Pipeline.EmbedAsync, scorer.UsesCaptions && next.Pipeline.EmbedsCaptions ? next.Pipeline.EmbedCaptions : null);
        StreamImageEmbedder? old = embedding.Replace(next);
        upkeep.SaveNow();

        if (old is not null)
        {
            old.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        IReadOnlyList<ProvisionalSample> toJudge = rejudge == RejudgePolicy.EveryRound
            ? provisional
            : [.. provisional.Where(p => string.Equals(p.Record.Model, report.PreviousModel, StringComparison.Ordinal))];
        StreamScorer judge = JudgeOf(scorer, moved, fitIds);
        (int judged, int recalled, int evidence) = JudgeWindow(judge, next, sentinelVersion, toJudge, window?.Quarantined() ?? [], cancel);
        TimeSpan held = time.GetElapsedTime(start);
        telemetry.RecordSwap(held);
        Log.ModelSwapped(log, from, next.ModelVersionLabel, held.TotalSeconds, moved.Ids.Count, moved.WithoutImage, report.Evicted.Count, judged, recalled);
        DeliverOrKeep(sentinelVersion, cancel);
        return new ModelSwapOutcome(report, moved.WithoutImage + moved.Rejected, provisional.Count, judged, recalled, held) { Evidence = evidence };
    }

    /// <summary>
    /// The scorer that judges the window: one started on the seed's fitting half as re-embedded (pairs the sentinel
    /// trained on, like the window), or the stream's scorer when there is no such half or too few of it were embedded.
    /// </summary>
    private StreamScorer JudgeOf(StreamScorer scorer, EmbeddedPairs moved, IReadOnlyList<string> fitIds)
    {
        var fit = fitIds.ToHashSet(StringComparer.Ordinal);
        int[] rows = [.. Enumerable.Range(0, moved.Ids.Count).Where(i => fit.Contains(moved.Ids[i]))];
        if (rows.Length <= scorer.Reference.Options.K)
        {
            return scorer;
        }

        StreamScorer judge = scorer.ForJudging([.. rows.Select(i => moved.Ids[i])], moved.Images.SelectRows(rows), moved.Captions?.SelectRows(rows));
        Log.WindowJudgedAgainstFittingSeed(log, rows.Length, judge.Campaigns is not null);
        return judge;
    }

    /// <summary>
    /// After a restart on a sentinel whose re-judgement of the window was not completed (the process died between the
    /// swap and the recalls' acknowledgement): judges the recovered provisional window again under the model in use.
    /// Under <see cref="RejudgePolicy.Once"/> the samples routed under that model are left out; which earlier swap
    /// judged the others is not recorded, so after such a restart they are all judged (at most one extra re-judgement).
    /// </summary>
    public (int Judged, int Recalled) Rejudge(StreamScorer scorer, int sentinelVersion, CancellationToken cancel)
    {
        if (embedding.Pipeline is not { } current || window is null)
        {
            return (0, 0);
        }

        IReadOnlyList<ProvisionalSample> provisional = window.Provisional();
        if (rejudge == RejudgePolicy.Once)
        {
            provisional = [.. provisional.Where(p => !string.Equals(p.Record.Model, current.ModelVersionLabel, StringComparison.Ordinal))];
        }

        (int judged, int recalled, _) = JudgeWindow(scorer, current, sentinelVersion, provisional, window.Quarantined(), cancel);
        DeliverOrKeep(sentinelVersion, cancel);
        return (judged, recalled);
    }

    /// <summary>
    /// The provisional window's clean samples (members excepted) judged by <paramref name="model"/>, in arrival order (the
    /// scorer's campaign confirmation runs over them as over a stream); those it would quarantine, by the budget or as
    /// members of a campaign the new model shows, are queued as recalls that name the campaign. The window's samples
    /// quarantined already (<paramref name="quarantined"/>) are judged with them as evidence, in arrival order: a campaign
    /// is grouped from all its copies the window holds, not only from those the arrival verdicts let through.
    /// </summary>
    private (int Judged, int Recalled, int Evidence) JudgeWindow(StreamScorer scorer, StreamImageEmbedder model, int sentinelVersion, IReadOnlyList<ProvisionalSample> provisional, IReadOnlyList<ProvisionalSample> quarantined, CancellationToken cancel)
    {
        var byId = provisional.ToDictionary(p => p.Record.Id, StringComparer.Ordinal);
        var evidence = new HashSet<string>(StringComparer.Ordinal);
        foreach (ProvisionalSample q in quarantined)
        {
            if (byId.TryAdd(q.Record.Id, q))
            {
                evidence.Add(q.Record.Id);
            }
        }

        string[] order = [.. byId.Values.OrderBy(p => p.Record.RoutedAt).Select(p => p.Record.Id)];
        EmbeddedPairs kept = PairEmbedder.Embed(
            order, id => window!.Read(byId[id]) is { } pair ? (pair.Image, pair.Caption) : null, model.Pipeline, scorer.Dimension, scorer.UsesCaptions, cancel);
        var samples = kept.Ids.Select((id, i) => new StreamSample(id, byId[id].Record.Source, kept.Images.RowReadOnly(i).ToArray())
        {
            TextEmbedding = kept.Captions?.RowReadOnly(i).ToArray(),
        }).ToList();
        IReadOnlyList<Judgement> judged = scorer.Judge(samples, evidence);
        int evidenceJudged = kept.Ids.Count(evidence.Contains);
        Log.QuarantinedEvidence(log, evidenceJudged, sentinelVersion);
        if (keepJudgements && window is not null)
        {
            string file = window.Layout.JudgementsOf(sentinelVersion, window.Owner);
            JudgementRecord.WriteAll(file, judged.Select(j => JudgementRecord.From(j, byId[j.SampleId].Record.Model)));
            Log.JudgementsWritten(log, judged.Count, file);
        }

        DateTimeOffset now = time.GetUtcNow();
        var recalled = new HashSet<string>(StringComparer.Ordinal);
        foreach (Judgement j in judged.Where(j => j.Quarantine))
        {
            WindowRecord r = byId[j.SampleId].Record;
            Log.SampleRecalled(log, j.SampleId, r.Model, model.ModelVersionLabel, j.Score, j.PValue, j.Campaign ?? "none");
            _recalls.Enqueue(ToRecord(r, j, scorer, model.ModelVersionLabel, now), new RecallMessage(
                j.SampleId, VerdictValues.Quarantine, model.ModelVersionLabel, sentinelVersion, r.Model, j.Score, double.IsNaN(j.PValue) ? null : j.PValue, j.Campaign,
                r.Topic, r.Partition, r.Offset, r.RoutedAt, now));
            telemetry.RecordRecall(sentinelVersion, j.Campaign, now - r.RoutedAt);
            recalled.Add(j.SampleId);
        }

        foreach (IGrouping<string?, Judgement> campaign in judged.Where(j => j.Campaign is not null).GroupBy(j => j.Campaign))
        {
            telemetry.RecordCampaignConfirmed(campaign.Key!, now - campaign.Min(j => byId[j.SampleId].Record.RoutedAt), "sentinel");
        }

        window?.Forget(recalled);
        return (judged.Count, recalled.Count, evidenceJudged);
    }

    /// <summary>Delivers the queued recalls; once none is left, the window records that this sentinel's judgement is complete.</summary>
    private void DeliverOrKeep(int sentinelVersion, CancellationToken cancel)
    {
        _judging = sentinelVersion;
        try
        {
            RetryRecalls(cancel);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The swap itself stands; the recalls stay queued and the sentinel watcher retries them.
            Log.RecallsUndelivered(log, _recalls.Undelivered, $"{e.GetType().Name}: {e.Message}");
        }
    }

    /// <summary>
    /// Records and publishes the recalls not yet delivered; throws (keeping them) when the ledger or the broker fails.
    /// Once none is left, the window records that the pending sentinel's judgement is complete.
    /// </summary>
    public void RetryRecalls(CancellationToken cancel)
    {
        _recalls.Deliver(cancel);

        if (_judging > 0)
        {
            window?.MarkJudged(_judging);
            _judging = 0;
        }
    }

    private static QuarantineRecord ToRecord(WindowRecord r, Judgement j, StreamScorer scorer, string model, DateTimeOffset now) => new()
    {
        Id = r.Id,
        Score = j.Score,
        Detector = scorer.DetectorName,
        K = scorer.Reference.Options.K,
        ReferenceSize = scorer.Reference.Count,
        ReferenceVersion = scorer.Reference.Version,
        ModelVersion = model,
        Threshold = scorer.Threshold,
        SourceTopic = r.Topic,
        SourcePartition = r.Partition,
        SourceOffset = r.Offset,
        Key = r.Key,
        Value = r.Value ?? [],
        QuarantinedAt = now,
        Source = r.Source,
        PValue = double.IsNaN(j.PValue) ? null : j.PValue,
        RecalledFrom = r.Model,
        Campaign = j.Campaign,
    };
}

/// <summary>What a swap did: the scorer's report, members dropped (no stored image, or rejected by the new model), and the provisional window's re-judgement.</summary>
internal sealed record ModelSwapOutcome(ModelSwapReport Report, int MembersDropped, int Provisional, int Judged, int Recalled, TimeSpan Held)
{
    /// <summary>Samples of the window quarantined already that the judgement grouped the clean ones with (never recalled).</summary>
    public int Evidence { get; init; }
}
