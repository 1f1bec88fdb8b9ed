using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Redis;

[OptionsValidator]
internal sealed partial class RedisOptionsValidator : IValidateOptions<RedisOptions>;
