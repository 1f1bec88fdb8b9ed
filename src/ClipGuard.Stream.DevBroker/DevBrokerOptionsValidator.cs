using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.DevBroker;

/// <summary>Checks <see cref="DevBrokerOptions"/> before any native call is made.</summary>
[OptionsValidator]
public sealed partial class DevBrokerOptionsValidator : IValidateOptions<DevBrokerOptions>
{
    /// <summary>Attribute checks (generated) plus the rules that span several properties.</summary>
    public static ValidateOptionsResult ValidateAll(DevBrokerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        ValidateOptionsResult generated = new DevBrokerOptionsValidator().Validate(null, options);
        if (generated.Failed)
        {
            failures.AddRange(generated.Failures);
        }

        if (options.Port != 0 &&
            (options.Port < DevBrokerOptions.MinFixedPort || options.Port + options.Brokers - 1 > 65535))
        {
            failures.Add($"Port {options.Port} with {options.Brokers} broker(s) must lie within {DevBrokerOptions.MinFixedPort}..65535");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (TopicSpec topic in options.Topics ?? [])
        {
            if (!IsValidTopicName(topic.Name))
            {
                failures.Add($"'{topic.Name}' is not a valid Kafka topic name (1..249 of [a-zA-Z0-9._-])");
            }

            if (topic.Partitions is < 1 or > DevBrokerOptions.MaxPartitions)
            {
                failures.Add($"topic '{topic.Name}': {topic.Partitions} partitions is outside 1..{DevBrokerOptions.MaxPartitions}");
            }

            if (!names.Add(topic.Name))
            {
                failures.Add($"topic '{topic.Name}' is listed twice");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsValidTopicName(string name) =>
        name.Length is >= 1 and <= 249 && name is not ("." or "..") &&
        name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');
}
