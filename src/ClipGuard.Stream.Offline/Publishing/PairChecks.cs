using ClipGuard.Stream.Embedding.Pipeline;
using ClipGuard.Stream.Embedding.Preprocessing;
using ClipGuard.Stream.Kafka.Envelope;
using ClipGuard.Stream.Offline.Reading;

namespace ClipGuard.Stream.Offline.Publishing;

/// <summary>
/// What the service would refuse in a pair, found before it is sent: an id longer than the contract allows, and (when
/// asked) an image its decoder cannot read, under the same codes it would dead-letter them with. Thread-safe.
/// </summary>
internal sealed class PairChecks(bool checkImages)
{
    private readonly ImagePreprocessor _decoder = new();

    /// <summary>The reason code and detail that keep <paramref name="sample"/> out, or null when it may be sent.</summary>
    public (string Code, string Detail)? Refusal(DatasetSample sample)
    {
        if (sample.Key.Length > EnvelopeParser.MaxIdLength)
        {
            return (RejectionCodes.IdTooLong, $"the key has {sample.Key.Length} characters, over the contract's {EnvelopeParser.MaxIdLength}");
        }

        if (!checkImages)
        {
            return null;
        }

        try
        {
            _ = _decoder.Decode(sample.Image);
            return null;
        }
        catch (ImageRejectedException e)
        {
            return (ImageEmbeddingResult.CodeOf(e.Reason), e.Message);
        }
    }

    /// <summary>The image-only envelope of a pair: id = the sample key, source = the URL's host, so the service embeds it.</summary>
    public static SampleEnvelope Envelope(DatasetSample sample) =>
        new(sample.Key, sample.Caption, embedding: null, sample.Image, sample.Url, sample.Source);
}
