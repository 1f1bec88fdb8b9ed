using ClipGuard.Stream.Kafka.Streaming;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Operator;

/// <summary>Checks the Kafka settings a release needs (bootstrap servers, clean topic) at start, not at the first release.</summary>
[OptionsValidator]
internal sealed partial class ReleaseKafkaOptionsValidator : IValidateOptions<KafkaStreamOptions>;
