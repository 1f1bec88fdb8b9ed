using System.CommandLine;
using ClipGuard.Stream.Core.Scoring;

namespace ClipGuard.Stream.Cli.Commands;

/// <summary>Options several verbs share, defined once so their names, defaults and help agree.</summary>
internal static class CommonOptions
{
    public static Option<OutlierDetector> Detector() => new("--detector")
    {
        Description = "kdist | lof | slof | dao",
        DefaultValueFactory = _ => OutlierDetector.Dao,
        CustomParser = r => ParseEnum<OutlierDetector>(r.Tokens[0].Value, r),
    };

    public static Option<DistanceMetric> Metric() => new("--metric")
    {
        Description = "euclidean | cosine",
        DefaultValueFactory = _ => DistanceMetric.Euclidean,
        CustomParser = r => ParseEnum<DistanceMetric>(r.Tokens[0].Value, r),
    };

    public static Option<int> K() => new("--k")
    {
        Description = "Neighbourhood size",
        DefaultValueFactory = _ => 16,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 1) { r.AddError("--k must be at least 1"); } } },
    };

    public static Option<int> Threads() => new("--threads")
    {
        Description = "Worker threads for k-NN (0 = all cores)",
        DefaultValueFactory = _ => 0,
    };

    internal static TEnum ParseEnum<TEnum>(string value, System.CommandLine.Parsing.ArgumentResult r)
        where TEnum : struct, Enum
    {
        if (Enum.TryParse(value, ignoreCase: true, out TEnum parsed) && Enum.IsDefined(parsed))
        {
            return parsed;
        }

        r.AddError($"'{value}' is not one of: {string.Join(", ", Enum.GetNames<TEnum>().Select(n => n.ToLowerInvariant()))}");
        return default;
    }
}
