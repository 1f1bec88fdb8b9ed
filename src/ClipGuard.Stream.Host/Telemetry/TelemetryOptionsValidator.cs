using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Telemetry;

[OptionsValidator]
internal sealed partial class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>;
