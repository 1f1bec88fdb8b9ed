using System.Globalization;
using System.Text.RegularExpressions;
using ClipGuard.Stream.Kafka.Contract;
using Confluent.Kafka;

namespace ClipGuard.Stream.Host.Tests.Replication;

/// <summary>What the replicated-reference tests read back: each replica's reference state lines and the log's end.</summary>
internal static partial class ReplicaLog
{
    /// <summary>The last "Reference state at log position ..." line of a replica's output, or null before the first.</summary>
    public static (long Position, long Version, int Members, string Digest)? LastState(string output)
    {
        Match? last = StateRegex().Matches(output).LastOrDefault();
        return last is null
            ? null
            : (long.Parse(last.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(last.Groups[2].Value, CultureInfo.InvariantCulture),
                int.Parse(last.Groups[3].Value, CultureInfo.InvariantCulture), last.Groups[4].Value);
    }

    /// <summary>The end offset of the single-partition reference log.</summary>
    public static long End(string bootstrap)
    {
        using IConsumer<byte[], byte[]> consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "watermarks" }).Build();
        return consumer.QueryWatermarkOffsets(new TopicPartition(TopicNames.Reference, 0), TimeSpan.FromSeconds(30)).High.Value;
    }

    [GeneratedRegex(@"Reference state at log position (\d+): version (\d+), (\d+) members, \d+ in hold-back, digest ([0-9a-f]{64})")]
    private static partial Regex StateRegex();
}
