namespace ClipGuard.Stream.Host.Api;

/// <summary>
/// The model this process embeds with (<c>/api/model</c>): whether it runs the stream at all (an operator-only process
/// does not), the model's label (null: embeddings come with the messages), and the sentinel checkpoint in use with its
/// age (docs/sentinel.md; 0 and nulls: the configured model).
/// </summary>
public sealed record ModelView(
    bool Stream,
    string? Model,
    int SentinelVersion,
    DateTimeOffset? SentinelTrainedAt,
    double? SentinelAgeSeconds);
