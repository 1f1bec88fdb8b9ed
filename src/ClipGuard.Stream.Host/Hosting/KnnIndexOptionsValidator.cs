using ClipGuard.Stream.Index;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Hosting;

/// <summary>Runs the index options' own range checks (they name every violated bound) at host start.</summary>
internal sealed class KnnIndexOptionsValidator : IValidateOptions<KnnIndexOptions>
{
    public ValidateOptionsResult Validate(string? name, KnnIndexOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
    }
}
