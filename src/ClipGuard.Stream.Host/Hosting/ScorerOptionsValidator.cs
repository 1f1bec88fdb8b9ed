using ClipGuard.Stream.Core.Pipeline;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Hosting;

/// <summary>Runs the scorer's own range checks (they name every violated bound) at host start.</summary>
internal sealed class ScorerOptionsValidator : IValidateOptions<StreamScorerOptions>
{
    public ValidateOptionsResult Validate(string? name, StreamScorerOptions options)
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
