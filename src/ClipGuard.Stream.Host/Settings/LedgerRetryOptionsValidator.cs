using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Settings;

/// <summary>A ledger retry without a pause would spin against an unreachable Redis.</summary>
internal sealed class LedgerRetryOptionsValidator : IValidateOptions<LedgerRetryOptions>
{
    public ValidateOptionsResult Validate(string? name, LedgerRetryOptions options) =>
        options.LedgerRetryInterval <= TimeSpan.Zero
            ? ValidateOptionsResult.Fail($"LedgerRetryInterval must be positive (got {options.LedgerRetryInterval})")
            : ValidateOptionsResult.Success;
}
