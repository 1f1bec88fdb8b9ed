namespace ClipGuard.Stream.Kafka.Envelope;

/// <summary>Why a message is not a valid envelope: a code from <see cref="RejectionCodes"/> for machines, a message
/// for people, and the sample id when it could be read (so the dead-letter copy can still be traced).</summary>
public sealed record EnvelopeRejection(string Code, string Message, string? Id = null);
