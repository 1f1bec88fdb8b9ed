using System.ComponentModel.DataAnnotations;
using StackExchange.Redis;

namespace ClipGuard.Stream.Redis;

/// <summary>Connection and ledger settings, bound from <see cref="SectionName"/> and validated at start.</summary>
public sealed class RedisOptions : IValidatableObject
{
    public const string SectionName = "ClipGuard:Redis";
    public const string DefaultConfiguration = "127.0.0.1:6379,abortConnect=false";
    public const string DefaultKeyPrefix = "clipguard:";
    public const string MinTimeout = "00:00:00.050";
    public const string MaxTimeout = "00:05:00";
    public const string MinClaimTimeout = "00:00:01";
    public const string MaxClaimTimeout = "1.00:00:00";
    public const int MinAuditStreamLength = 1_000;
    public const int DefaultAuditStreamLength = 1_000_000;
    public static readonly TimeSpan DefaultReleaseClaimTimeout = TimeSpan.FromMinutes(2);

    /// <summary>A StackExchange.Redis configuration string; <c>abortConnect</c> is forced off (see <see cref="RedisConnection"/>).</summary>
    [Required]
    public string Configuration { get; set; } = DefaultConfiguration;

    /// <summary>
    /// Starts every key. On Redis Cluster make it a hash tag such as <c>{clipguard}:</c>, because the ledger's scripts
    /// touch several keys of one sample and its indexes at once.
    /// </summary>
    [Required]
    [MinLength(1)]
    public string KeyPrefix { get; set; } = DefaultKeyPrefix;

    [Range(typeof(TimeSpan), MinTimeout, MaxTimeout)]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long one command may wait, queued while disconnected included, before the call throws
    /// <see cref="LedgerUnavailableException"/>: the longest a consumer stalls before it learns to pause.
    /// </summary>
    [Range(typeof(TimeSpan), MinTimeout, MaxTimeout)]
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a release claim stays exclusive; longer than the slowest republish, far longer than clock skew.</summary>
    [Range(typeof(TimeSpan), MinClaimTimeout, MaxClaimTimeout)]
    public TimeSpan ReleaseClaimTimeout { get; set; } = DefaultReleaseClaimTimeout;

    /// <summary>Approximate cap on the global audit stream; the per-sample audit lists are never trimmed.</summary>
    [Range(MinAuditStreamLength, int.MaxValue)]
    public int AuditStreamMaxLength { get; set; } = DefaultAuditStreamLength;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        string? error = null;
        try
        {
            ConfigurationOptions.Parse(Configuration ?? string.Empty);
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
        }

        if (error is not null)
        {
            yield return new ValidationResult($"Configuration is not a Redis configuration string: {error}", [nameof(Configuration)]);
        }
    }
}
