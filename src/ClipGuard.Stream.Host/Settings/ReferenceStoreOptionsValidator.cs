using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.Host.Settings;

/// <summary>The rules of <see cref="ReferenceStoreOptions"/> that data annotations cannot say.</summary>
internal sealed class ReferenceStoreOptionsValidator : IValidateOptions<ReferenceStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, ReferenceStoreOptions options) =>
        options.SnapshotInterval <= TimeSpan.Zero
            ? ValidateOptionsResult.Fail($"SnapshotInterval must be positive (got {options.SnapshotInterval})")
            : ValidateOptionsResult.Success;
}
