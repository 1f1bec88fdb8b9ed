using ClipGuard.Stream.Core.Reference;

namespace ClipGuard.Stream.Core.Pipeline;

// StreamScorer under replicated admission: the reference changes only by applying the replicated log in offset order.
public sealed partial class StreamScorer
{
    /// <summary>Samples routed clean since the last call, to propose to the replicated log (replicated admission only).</summary>
    public IReadOnlyList<StreamSample> DrainProposals()
    {
        var list = _proposals.ToList();
        _proposals.Clear();
        return list;
    }

    /// <summary>
    /// Applies a log record offering a cleared sample (raw embedding) at <paramref name="logOffset"/>. Returns the ids
    /// that are neither members nor waiting any more because of it (lost the lottery, or evicted to make room): the
    /// proposer tombstones them so the compacted log forgets their vectors.
    /// </summary>
    public IReadOnlyList<string> ApplyOffer(string id, string? source, float[] embedding, long logOffset)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        var gone = new List<string>();
        if (embedding.Length == Dimension)
        {
            Reference.RecordsChanges = true;   // the evictions this offer causes are read back below
            foreach ((string decided, OfferOutcome outcome) in Reference.OfferCleared(id, source, embedding))
            {
                if (outcome == OfferOutcome.NotSampled)
                {
                    gone.Add(decided);
                }
            }

            gone.AddRange(Reference.DrainChanges().Where(c => c.Kind == ReferenceChangeKind.Evicted).Select(c => c.SampleId));
        }

        Applied(logOffset);
        return gone;
    }

    /// <summary>
    /// Takes back a sample this scorer just routed clean that the pipeline routes to quarantine instead (its route was
    /// pinned by an earlier delivery): out of the pending proposals, the local hold-back or reference, and the
    /// calibration pool. Returns whether it was found anywhere.
    /// </summary>
    public bool Withdraw(string id)
    {
        bool proposed = _proposals.RemoveAll(s => s.Id == id) > 0;
        bool inReference = !ReplicatedAdmission && Reference.Revoke(id);
        bool inPool = _pool?.Remove(id) ?? false;
        return proposed || inReference || inPool;
    }

    /// <summary>Applies a tombstone: the sample leaves the hold-back or the reference (a no-op when it is in neither).</summary>
    public void ApplyRevoke(string id, long logOffset)
    {
        Reference.Revoke(id);
        Reference.DrainChanges();
        Applied(logOffset);
    }

    /// <summary>Applies a recalibration record (a full re-score's): every replica recalibrates at the same position.</summary>
    public void ApplyRecalibrate(long logOffset)
    {
        Applied(logOffset);
        if (Reference.IsReady)
        {
            Recalibrate();
        }
    }

    /// <summary>
    /// Any other record moves the position only (its content is not for this replica to interpret), so the position
    /// stays the count of records applied and replicas agree on it.
    /// </summary>
    public void ApplySkip(long logOffset) => Applied(logOffset);

    /// <summary>
    /// Moves the log position, and recalibrates whenever the version enters a new block of RecalibrateEvery
    /// changes: a function of the version alone, so every replica recalibrates at the same states.
    /// </summary>
    private void Applied(long logOffset)
    {
        Reference.LogPosition = logOffset + 1;
        long epoch = Reference.Version / _options.RecalibrateEvery;
        if (epoch != _calibratedEpoch && Reference.IsReady)
        {
            Recalibrate();
        }
    }
}
