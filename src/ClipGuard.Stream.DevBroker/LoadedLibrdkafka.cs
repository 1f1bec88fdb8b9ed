using System.Globalization;
using System.Runtime.InteropServices;

namespace ClipGuard.Stream.DevBroker;

/// <summary>The mock-cluster entry points of the very librdkafka file Confluent.Kafka loaded. Confluent.Kafka picks
/// one of several builds at run time (on Debian 12 its centos8 build), and a second copy of the library would have
/// its own globals: a cluster pointer from one copy handed to the other would corrupt memory. So the path is read from
/// the process's own memory map, and the symbols are checked to lie inside that mapping.</summary>
internal sealed unsafe class LoadedLibrdkafka
{
    private readonly delegate* unmanaged<IntPtr, IntPtr> _handleMockCluster;
    private readonly delegate* unmanaged<IntPtr, byte*, int, int, int> _mockTopicCreate;
    private readonly delegate* unmanaged<IntPtr, int, byte*, int, void> _mockBrokerSetHostPort;
    private readonly delegate* unmanaged<IntPtr, byte*, int, int, int> _mockPartitionSetLeader;

    private LoadedLibrdkafka(string path, IntPtr library)
    {
        Path = path;
        _handleMockCluster = (delegate* unmanaged<IntPtr, IntPtr>)NativeLibrary.GetExport(library, "rd_kafka_handle_mock_cluster");
        _mockTopicCreate = (delegate* unmanaged<IntPtr, byte*, int, int, int>)NativeLibrary.GetExport(library, "rd_kafka_mock_topic_create");
        _mockBrokerSetHostPort =
            (delegate* unmanaged<IntPtr, int, byte*, int, void>)NativeLibrary.GetExport(library, "rd_kafka_mock_broker_set_host_port");
        _mockPartitionSetLeader =
            (delegate* unmanaged<IntPtr, byte*, int, int, int>)NativeLibrary.GetExport(library, "rd_kafka_mock_partition_set_leader");
    }

    /// <summary>The file the process has mapped, e.g. <c>.../runtimes/linux-x64/native/centos8-librdkafka.so</c>.</summary>
    public string Path { get; }

    /// <summary>Binds to the librdkafka already in this process; call only after a Confluent.Kafka client exists.</summary>
    public static LoadedLibrdkafka Bind()
    {
        const string maps = "/proc/self/maps";
        if (!File.Exists(maps))
        {
            throw new PlatformNotSupportedException("the dev broker needs Linux: it finds the loaded librdkafka through /proc/self/maps");
        }

        List<MappedRange> ranges = ReadMappings(maps);
        string[] paths = ranges.Select(r => r.Path).Distinct(StringComparer.Ordinal).ToArray();
        if (paths.Length != 1)
        {
            throw new InvalidOperationException(paths.Length == 0
                ? "no librdkafka is mapped into this process: create a Confluent.Kafka client first"
                : $"several librdkafka files are mapped ({string.Join(", ", paths)}); cannot tell which one the client uses");
        }

        // dlopen of a file that is already loaded returns the same instance (reference-counted), not a second copy.
        IntPtr library = NativeLibrary.Load(paths[0]);
        IntPtr probe = NativeLibrary.GetExport(library, "rd_kafka_mock_topic_create");
        if (!ranges.Any(r => r.Contains(probe)))
        {
            throw new InvalidOperationException($"{paths[0]} resolved to a second copy of librdkafka, not the one the client loaded");
        }

        return new LoadedLibrdkafka(paths[0], library);
    }

    /// <summary>The mock cluster owned by the client handle <paramref name="rk"/>, or zero when it has none.</summary>
    public IntPtr HandleMockCluster(IntPtr rk) => _handleMockCluster(rk);

    /// <summary>Creates a topic on the mock; returns librdkafka's error code (0 when it worked).</summary>
    public int MockTopicCreate(IntPtr cluster, string topic, int partitions, int replicationFactor)
    {
        fixed (byte* name = NullTerminated(topic))
        {
            return _mockTopicCreate(cluster, name, partitions, replicationFactor);
        }
    }

    /// <summary>Makes <paramref name="brokerId"/> the leader of one partition; returns librdkafka's error code.</summary>
    public int MockPartitionSetLeader(IntPtr cluster, string topic, int partition, int brokerId)
    {
        fixed (byte* name = NullTerminated(topic))
        {
            return _mockPartitionSetLeader(cluster, name, partition, brokerId);
        }
    }

    /// <summary>Changes the host and port a broker advertises in metadata (its listener stays where it is).</summary>
    public void MockBrokerSetHostPort(IntPtr cluster, int brokerId, string host, int port)
    {
        fixed (byte* name = NullTerminated(host))
        {
            _mockBrokerSetHostPort(cluster, brokerId, name, port);
        }
    }

    private static byte[] NullTerminated(string text) => System.Text.Encoding.UTF8.GetBytes(text + "\0");

    private static List<MappedRange> ReadMappings(string maps)
    {
        var result = new List<MappedRange>();
        foreach (string line in File.ReadLines(maps))
        {
            // address perms offset dev inode path
            string[] parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 6)
            {
                continue;
            }

            string path = parts[5].Trim();
            if (!System.IO.Path.GetFileName(path).Contains("librdkafka", StringComparison.Ordinal))
            {
                continue;
            }

            string[] bounds = parts[0].Split('-');
            result.Add(new MappedRange(
                ulong.Parse(bounds[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                ulong.Parse(bounds[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                path));
        }

        return result;
    }
}
