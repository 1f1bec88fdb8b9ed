using System.Text;
using Confluent.Kafka;

namespace ClipGuard.Stream.Testing.Fakes;

/// <summary>Consumed input messages as the stream's stages see them, without a broker.</summary>
public static class InputMessages
{
    public const string Topic = "clipguard.pairs";

    public static ConsumeResult<byte[], byte[]> At(int partition, long offset, string key, byte[]? value = null) => new()
    {
        Topic = Topic,
        Partition = new Partition(partition),
        Offset = new Offset(offset),
        Message = new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes(key), Value = value ?? [], Headers = [] },
    };

    public static TopicPartition Partition(int partition) => new(Topic, new Partition(partition));
}
