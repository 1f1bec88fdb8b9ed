using System.Diagnostics.CodeAnalysis;

namespace ClipGuard.Stream.Kafka.Envelope;

/// <summary>Either a valid <see cref="SampleEnvelope"/> or an <see cref="EnvelopeRejection"/>, never both.</summary>
public sealed class EnvelopeParseResult
{
    private EnvelopeParseResult(SampleEnvelope? envelope, EnvelopeRejection? rejection)
    {
        Envelope = envelope;
        Rejection = rejection;
    }

    public SampleEnvelope? Envelope { get; }

    public EnvelopeRejection? Rejection { get; }

    [MemberNotNullWhen(true, nameof(Envelope))]
    [MemberNotNullWhen(false, nameof(Rejection))]
    public bool IsValid => Envelope is not null;

    public static EnvelopeParseResult Valid(SampleEnvelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        return new EnvelopeParseResult(envelope, null);
    }

    public static EnvelopeParseResult Rejected(string code, string message, string? id = null) =>
        new(null, new EnvelopeRejection(code, message, id));
}
