using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Settings;

/// <summary>The rules of <see cref="ReferenceStoreOptions"/> that data annotations cannot say.</summary>
internal sealed class ReferenceStoreOptionsValidator : IValidateOptions<ReferenceStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, ReferenceStoreOptions options)
    {
        if (options.SnapshotInterval <= TimeSpan.Zero)
        {
            return ValidateOptionsResult.Fail($"SnapshotInterval must be positive (got {options.SnapshotInterval})");
        }

        if (!string.IsNullOrWhiteSpace(options.SeedCaptions)
            && (string.IsNullOrWhiteSpace(options.SeedReference) || Directory.Exists(options.SeedReference)))
        {
            return ValidateOptionsResult.Fail("SeedCaptions (--seed-captions) goes with a .npy SeedReference (--seed-reference): a folder seed's captions are embedded by the model");
        }

        return ValidateOptionsResult.Success;
    }
}
