using System.Text;
using ClipGuard.Stream.Kafka.Contract;
using ClipGuard.Stream.Redis;
using Confluent.Kafka;

namespace ClipGuard.Stream.Host.Tests.Operator;

/// <summary>Checks a message on the clean topic against the quarantined original it should copy.</summary>
internal static class ReleasedCopy
{
    public static void AssertCopyOf(QuarantineRecord original, string actor, ConsumeResult<byte[], byte[]> copy)
    {
        Assert.Equal(original.Key, copy.Message.Key);
        Assert.Equal(original.Value, copy.Message.Value);
        var headers = copy.Message.Headers.ToList();
        Assert.Equal(original.Headers.Count + 1, headers.Count);
        for (int i = 0; i < original.Headers.Count; i++)
        {
            Assert.Equal(original.Headers[i].Name, headers[i].Key);
            Assert.Equal(original.Headers[i].Value, headers[i].GetValueBytes());
        }

        Assert.Equal(ClipGuardHeaders.ReleasedBy, headers[^1].Key);
        Assert.Equal(actor, Encoding.UTF8.GetString(headers[^1].GetValueBytes()));
    }
}
