using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Api;

[OptionsValidator]
internal sealed partial class OperatorApiOptionsValidator : IValidateOptions<OperatorApiOptions>;
