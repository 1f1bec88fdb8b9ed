using ClipGuard.Stream.Kafka.Replication;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Settings;

/// <summary>The rules of <see cref="ReplicationOptions"/>, one of which reads the reference's own options (the seed).</summary>
internal sealed class ReplicationOptionsValidator(IOptions<ReferenceStoreOptions> reference) : IValidateOptions<ReplicationOptions>
{
    public ValidateOptionsResult Validate(string? name, ReplicationOptions options)
    {
        var errors = new List<string>();
        if (options.ReplayTimeout <= TimeSpan.Zero)
        {
            errors.Add($"ReplayTimeout must be positive (got {options.ReplayTimeout})");
        }

        if (options.Replicate && string.IsNullOrWhiteSpace(reference.Value.SeedReference))
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
