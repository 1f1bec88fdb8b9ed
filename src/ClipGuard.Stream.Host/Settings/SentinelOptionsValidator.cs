using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Settings;

/// <summary>The rules of <see cref="SentinelOptions"/> that data annotations cannot say.</summary>
internal sealed class SentinelOptionsValidator : IValidateOptions<SentinelOptions>
{
    public ValidateOptionsResult Validate(string? name, SentinelOptions options)
    {
        var errors = new List<string>();
        if (options.Poll <= TimeSpan.Zero)
        {
            errors.Add($"ClipGuard:Sentinel:Poll must be positive (got {options.Poll})");
        }

        if (options.Enabled && options.ProvisionalWindow < TimeSpan.Zero)
        {
            errors.Add($"ClipGuard:Sentinel:ProvisionalWindow must not be negative (got {options.ProvisionalWindow})");
        }

        if (!Enum.IsDefined(options.Rejudge))
        {
            errors.Add($"ClipGuard:Sentinel:Rejudge must be Once or EveryRound (got {options.Rejudge})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
