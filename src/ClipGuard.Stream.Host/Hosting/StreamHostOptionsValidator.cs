using ClipGuard.Stream.Host.Worker;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Hosting;

/// <summary>The cross-field rules of <see cref="StreamHostOptions"/> that data annotations cannot say.</summary>
internal sealed class StreamHostOptionsValidator : IValidateOptions<StreamHostOptions>
{
    public ValidateOptionsResult Validate(string? name, StreamHostOptions options)
    {
        var errors = new List<string>();
        if (options.SnapshotInterval <= TimeSpan.Zero)
        {
            errors.Add($"SnapshotInterval must be positive (got {options.SnapshotInterval})");
        }

        if (options.ReplayTimeout <= TimeSpan.Zero)
        {
            errors.Add($"ReplayTimeout must be positive (got {options.ReplayTimeout})");
        }

        if (options.Replicate && string.IsNullOrWhiteSpace(options.SeedReference))
        {
            errors.Add("Replicate needs a seed reference (--seed-reference): every replica must start from the same reference");
        }

        if (options.Replicate && string.IsNullOrWhiteSpace(options.ReferenceTopic))
        {
            errors.Add("ReferenceTopic must be set when Replicate is on");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
