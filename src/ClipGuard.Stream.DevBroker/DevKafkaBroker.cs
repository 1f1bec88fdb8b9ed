using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ClipGuard.Stream.DevBroker;

/// <summary>A Kafka-protocol broker for local use and tests: librdkafka's mock cluster hosted in this process.
/// Any client, in any process, reaches it at <see cref="BootstrapServers"/> while this object lives.</summary>
public sealed class DevKafkaBroker : IDisposable
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);

    /// <summary>How often partitions are checked for messages the mock dropped.</summary>
    private static readonly TimeSpan RetentionCheckEvery = TimeSpan.FromSeconds(2);

    /// <summary>librdkafka's mock keeps at most 5 MiB (or 100,000 message sets) per partition, fixed in its source, and
    /// drops the oldest past it without a word to anyone.</summary>
    public const long PartitionRetentionBytes = 5L * 1024 * 1024;

    private readonly IProducer<byte[], byte[]> _owner;
    private readonly IAdminClient _metadata;
    private readonly LoadedLibrdkafka _native;
    private readonly IntPtr _cluster;
    private readonly List<PortForwarder> _forwarders = [];
    private readonly ILogger _logger;
    private readonly int _replicationFactor;
    private readonly int _brokers;
    private readonly List<TopicSpec> _topics = [];
    private readonly Dictionary<TopicPartition, long> _dropped = [];
    private readonly Lock _watchGate = new();
    private IConsumer<Ignore, Ignore>? _watcher;
    private Timer? _watchTimer;
    private bool _disposed;

    private DevKafkaBroker(IProducer<byte[], byte[]> owner, int brokers, ILogger logger)
    {
        _owner = owner;
        _logger = logger;
        _replicationFactor = Math.Min(brokers, 3);
        _brokers = brokers;
        _metadata = new DependentAdminClientBuilder(owner.Handle).Build();
        _native = LoadedLibrdkafka.Bind();
        _cluster = _native.HandleMockCluster(NativeHandle(owner.Handle));
        if (_cluster == IntPtr.Zero)
        {
            throw new InvalidOperationException("the placeholder client has no mock cluster (test.mock.num.brokers was not applied)");
        }
    }

    /// <summary>Comma-separated <c>host:port</c> list to give every client as <c>bootstrap.servers</c>.</summary>
    public string BootstrapServers { get; private set; } = string.Empty;

    public IReadOnlyList<TopicSpec> Topics => _topics;

    /// <summary>Messages the mock dropped from the head of each partition past its retention, as last seen (partitions with none are absent).</summary>
    public IReadOnlyDictionary<TopicPartition, long> Dropped
    {
        get
        {
            lock (_watchGate)
            {
                return new Dictionary<TopicPartition, long>(_dropped);
            }
        }
    }

    /// <summary>The librdkafka file the native calls are bound to (the one Confluent.Kafka loaded).</summary>
    public string LibraryPath => _native.Path;

    public static DevKafkaBroker Start(DevBrokerOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ValidateOptionsResult validation = DevBrokerOptionsValidator.ValidateAll(options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(nameof(DevBrokerOptions), typeof(DevBrokerOptions), validation.Failures);
        }

        logger ??= NullLogger.Instance;
        var config = new ProducerConfig
        {
            // Ignored by the mock, but librdkafka insists on a value.
            BootstrapServers = "127.0.0.1:1",
            ClientId = "clipguard-dev-broker",
        };
        config.Set("test.mock.num.brokers", options.Brokers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        IProducer<byte[], byte[]> owner = new ProducerBuilder<byte[], byte[]>(config)
            .SetLogHandler((_, m) => Log.Librdkafka(logger, (LogLevel)m.LevelAs(LogLevelType.MicrosoftExtensionsLogging), m.Facility, m.Message))
            .SetErrorHandler((_, e) => Log.ClientError(logger, e.Code.ToString(), e.Reason))
            .Build();
        DevKafkaBroker? broker = null;
        try
        {
            broker = new DevKafkaBroker(owner, options.Brokers, logger);
            broker.Expose(options.Brokers, options.Port);
            foreach (TopicSpec topic in options.Topics)
            {
                broker.CreateTopic(topic.Name, topic.Partitions);
            }

            Log.DevBrokerStarted(logger, options.Brokers, broker.BootstrapServers, Library.VersionString, broker.LibraryPath);
            broker.WatchRetention();
            return broker;
        }
        catch
        {
            if (broker is null)
            {
                owner.Dispose();
            }
            else
            {
                broker.Dispose();
            }

            throw;
        }
    }

    /// <summary>Creates a topic with exactly <paramref name="partitions"/> partitions, their leaders spread round-robin over
    /// the brokers, and waits until metadata shows it.
    /// (Admin CreateTopics times out against the mock, so this goes through librdkafka's mock API.)</summary>
    public void CreateTopic(string name, int partitions)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitions);
        int err = _native.MockTopicCreate(_cluster, name, partitions, _replicationFactor);
        if (err != 0)
        {
            throw new InvalidOperationException($"creating topic '{name}' failed: {new Error((ErrorCode)err).Reason}");
        }

        // The mock picks each partition's leader at random among its replicas (with two brokers, all six partitions of a
        // topic land on one broker about one time in thirty-two); a dev cluster of several brokers should spread them.
        for (int p = 0; _brokers > 1 && p < partitions; p++)
        {
            err = _native.MockPartitionSetLeader(_cluster, name, p, (p % _brokers) + 1);
            if (err != 0)
            {
                throw new InvalidOperationException($"topic '{name}': making broker {(p % _brokers) + 1} the leader of partition {p} failed: {new Error((ErrorCode)err).Reason}");
            }
        }

        int seen = PartitionCount(name);
        if (seen != partitions)
        {
            throw new InvalidOperationException($"topic '{name}' was created with {partitions} partitions but metadata shows {seen}");
        }

        _topics.Add(new TopicSpec(name, partitions));
        Log.TopicCreated(_logger, name, partitions);
    }

    /// <summary>Partition count of <paramref name="topic"/> as the broker reports it.</summary>
    public int PartitionCount(string topic)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        TopicMetadata md = _metadata.GetMetadata(topic, MetadataTimeout).Topics.Single(t => t.Topic == topic);
        if (md.Error.IsError)
        {
            throw new InvalidOperationException($"metadata for '{topic}': {md.Error.Reason}");
        }

        return md.Partitions.Count;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        lock (_watchGate)
        {
            _disposed = true;
            _watchTimer?.Dispose();
            _watcher?.Dispose();
        }

        foreach (PortForwarder forwarder in _forwarders)
        {
            forwarder.Dispose();
        }

        _metadata.Dispose();

        // The mock cluster belongs to this client: destroying it stops every broker.
        _owner.Dispose();
        Log.DevBrokerStopped(_logger);
    }

    /// <summary>Checks every partition's first offset now (also done every two seconds in the background); returns <see cref="Dropped"/>.</summary>
    public IReadOnlyDictionary<TopicPartition, long> CheckRetention()
    {
        lock (_watchGate)
        {
            if (_disposed || _watcher is null)
            {
                return new Dictionary<TopicPartition, long>(_dropped);
            }

            foreach (TopicSpec topic in _topics)
            {
                for (int p = 0; p < topic.Partitions; p++)
                {
                    var partition = new TopicPartition(topic.Name, p);
                    long low;
                    try
                    {
                        low = _watcher.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(2)).Low.Value;
                    }
                    catch (KafkaException)
                    {
                        continue;
                    }

                    long before = _dropped.GetValueOrDefault(partition);
                    if (low > before)
                    {
                        _dropped[partition] = low;
                        // Loud once per partition, then again each time the loss doubles.
                        if (before == 0 || low >= 2 * before)
                        {
                            Log.PartitionTrimmed(_logger, topic.Name, p, low, PartitionRetentionBytes / (1024 * 1024));
                        }
                    }
                }
            }

            return new Dictionary<TopicPartition, long>(_dropped);
        }
    }

    private void WatchRetention()
    {
        _watcher = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = "clipguard-dev-broker-retention",
            ClientId = "clipguard-dev-broker-retention",
        }).SetLogHandler((_, _) => { }).Build();
        _watchTimer = new Timer(_ => CheckRetention(), null, RetentionCheckEvery, RetentionCheckEvery);
    }

    private void Expose(int brokers, int fixedPort)
    {
        List<BrokerMetadata> listeners = _metadata.GetMetadata(MetadataTimeout).Brokers.OrderBy(b => b.BrokerId).ToList();
        if (listeners.Count != brokers)
        {
            throw new InvalidOperationException($"asked for {brokers} mock brokers, metadata lists {listeners.Count}");
        }

        if (fixedPort == 0)
        {
            BootstrapServers = string.Join(',', listeners.Select(b => $"{b.Host}:{b.Port}"));
            return;
        }

        for (int i = 0; i < listeners.Count; i++)
        {
            var forwarder = new PortForwarder(fixedPort + i, listeners[i].Port, _logger);
            _forwarders.Add(forwarder);
            _native.MockBrokerSetHostPort(_cluster, listeners[i].BrokerId, "127.0.0.1", forwarder.ListenPort);
            Log.BrokerForwarded(_logger, listeners[i].BrokerId, forwarder.ListenPort, listeners[i].Port);
        }

        BootstrapServers = string.Join(',', _forwarders.Select(f => $"127.0.0.1:{f.ListenPort}"));
    }

    /// <summary>The client's <c>rd_kafka_t*</c>. Confluent.Kafka keeps it in an internal property; there is no public
    /// accessor, so reflection it is, failing loudly if a future version renames it.</summary>
    private static IntPtr NativeHandle(Handle handle)
    {
        PropertyInfo? property = typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic);
        if (property?.GetValue(handle) is not SafeHandle safe || safe.IsInvalid)
        {
            throw new InvalidOperationException(
                $"Confluent.Kafka {typeof(Handle).Assembly.GetName().Version} does not expose Handle.LibrdkafkaHandle; the dev broker needs it");
        }

        return safe.DangerousGetHandle();
    }
}
