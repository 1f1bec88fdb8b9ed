using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Hosting;

/// <summary>
/// Runs an options class's own range checks (which throw <see cref="ArgumentException"/> naming every violated bound)
/// at host start, so the scorer's and the index's bounds live in one place each, beside their options.
/// </summary>
internal sealed class SelfCheckingOptionsValidator<TOptions>(Action<TOptions> validate) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        try
        {
            validate(options);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
