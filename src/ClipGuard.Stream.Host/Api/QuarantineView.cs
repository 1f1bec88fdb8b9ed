using ClipGuard.Stream.Redis;

namespace ClipGuard.Stream.Host.Api;

/// <summary>A quarantined sample as operators see it. The original message (key, value, headers) only on a single-record read.</summary>
public sealed record QuarantineView
{
    public required string Id { get; init; }

    public required QuarantineStatus Status { get; init; }

    public string? Source { get; init; }

    public string? Caption { get; init; }

    public required double Score { get; init; }

    public required double Threshold { get; init; }

    public required string Detector { get; init; }

    public required int K { get; init; }

    public required int ReferenceSize { get; init; }

    public required long ReferenceVersion { get; init; }

    public required string ModelVersion { get; init; }

    /// <summary>The campaign the sample was confirmed a member of; absent when none.</summary>
    public string? Campaign { get; init; }

    /// <summary>On a recall: the model the sample was routed clean under before a sentinel recalled it (docs/sentinel.md).</summary>
    public string? RecalledFrom { get; init; }

    public required IReadOnlyList<NeighbourView> Neighbours { get; init; }

    public required DateTimeOffset QuarantinedAt { get; init; }

    public required string SourceTopic { get; init; }

    public required int SourcePartition { get; init; }

    public required long SourceOffset { get; init; }

    public string? KeyBase64 { get; init; }

    public string? ValueBase64 { get; init; }

    public IReadOnlyList<HeaderView>? Headers { get; init; }

    /// <param name="withMessage">Include the original message bytes; lists leave them out (they can be megabytes each).</param>
    public static QuarantineView From(QuarantineRecord record, bool withMessage)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new QuarantineView
        {
            Id = record.Id,
            Status = record.Status,
            Source = record.Source,
            Caption = record.Caption,
            Score = record.Score,
            Threshold = record.Threshold,
            Detector = record.Detector,
            K = record.K,
            ReferenceSize = record.ReferenceSize,
            ReferenceVersion = record.ReferenceVersion,
            ModelVersion = record.ModelVersion,
            Campaign = record.Campaign,
            RecalledFrom = record.RecalledFrom,
            Neighbours = [.. record.NeighbourIds.Zip(record.NeighbourDistances, (id, d) => new NeighbourView(id, d))],
            QuarantinedAt = record.QuarantinedAt,
            SourceTopic = record.SourceTopic,
            SourcePartition = record.SourcePartition,
            SourceOffset = record.SourceOffset,
            KeyBase64 = withMessage && record.Key is { } key ? Convert.ToBase64String(key) : null,
            ValueBase64 = withMessage ? Convert.ToBase64String(record.Value) : null,
            Headers = withMessage
                ? [.. record.Headers.Select(h => new HeaderView(h.Name, h.Value is null ? null : Convert.ToBase64String(h.Value)))]
                : null,
        };
    }
}
