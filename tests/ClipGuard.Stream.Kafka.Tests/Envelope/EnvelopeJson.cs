using System.Globalization;
using System.Text;

namespace ClipGuard.Stream.Kafka.Tests.Envelope;

/// <summary>Builds message values for parser tests.</summary>
internal static class EnvelopeJson
{
    public const int Dim = 8;

    public static string Embedding(int count = Dim) =>
        "[" + string.Join(",", Enumerable.Range(0, count).Select(i => (i * 0.25 - 1).ToString(CultureInfo.InvariantCulture))) + "]";

    public static string Valid(string id = "s-1") => $$"""{"id":"{{id}}","caption":"a cat","embedding":{{Embedding()}}}""";

    public static byte[] Bytes(string json) => Encoding.UTF8.GetBytes(json);
}
