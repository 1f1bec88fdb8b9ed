using System.ComponentModel.DataAnnotations;
using ClipGuard.Stream.Kafka.Contract;

namespace ClipGuard.Stream.DevBroker;

/// <summary>How the dev broker (librdkafka's mock cluster) is laid out.</summary>
public sealed class DevBrokerOptions
{
    public const int MaxBrokers = 16;

    public const int DefaultPartitions = 4;

    /// <summary>Largest partition count accepted; the mock keeps every partition in memory.</summary>
    public const int MaxPartitions = 256;

    /// <summary>Lowest fixed port; below it ports are privileged or well known.</summary>
    public const int MinFixedPort = 1024;

    [Range(1, MaxBrokers)]
    public int Brokers { get; set; } = 1;

    /// <summary>0: each broker listens on a port the kernel picks. Otherwise brokers are reachable on
    /// <c>Port .. Port + Brokers - 1</c> (through a loopback forwarder: the mock cannot bind a chosen port).</summary>
    [Range(0, 65535)]
    public int Port { get; set; }

    /// <summary>Topics created at start with their partition counts.</summary>
    [Required]
    public IList<TopicSpec> Topics { get; set; } = DefaultTopics();

    public static List<TopicSpec> DefaultTopics() =>
    [
        new(TopicNames.Pairs, DefaultPartitions),
        new(TopicNames.Clean, DefaultPartitions),
        new(TopicNames.Quarantine, DefaultPartitions),
        new(TopicNames.DeadLetter, DefaultPartitions),
        new(TopicNames.Reference, 1),
        new(TopicNames.Recalls, DefaultPartitions),
    ];
}
