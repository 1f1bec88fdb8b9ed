using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Kafka.Streaming;

/// <summary>Source-generated validation of <see cref="KafkaStreamOptions"/>, run at host start.</summary>
[OptionsValidator]
public sealed partial class KafkaStreamOptionsValidator : IValidateOptions<KafkaStreamOptions>;
