using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Kafka.Publishing;

/// <summary>Source-generated checks of <see cref="PublisherOptions"/>.</summary>
[OptionsValidator]
public sealed partial class PublisherOptionsValidator : IValidateOptions<PublisherOptions>
{
}
