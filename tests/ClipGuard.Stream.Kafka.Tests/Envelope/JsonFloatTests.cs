using System.Globalization;
using System.Text;
using ClipGuard.Stream.Kafka.Envelope;

namespace ClipGuard.Stream.Kafka.Tests.Envelope;

public sealed class JsonFloatTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-0")]
    [InlineData("-0.0")]
    [InlineData("1")]
    [InlineData("0.1")]
    [InlineData("-0.012345678")]
    [InlineData("16777217")]
    [InlineData("16777219")]
    [InlineData("3.4028235e38")]
    [InlineData("3.4028236e38")]
    [InlineData("1.17549435e-38")]
    [InlineData("1.4e-45")]
    [InlineData("1e-50")]
    [InlineData("1e400")]
    [InlineData("-1e400")]
    [InlineData("123456789012345678901234567890")]
    [InlineData("0.000000000000000000000000000001")]
    [InlineData("1E+2")]
    [InlineData("2.5e-3")]
    [InlineData("9007199254740993")]
    public void Matches_the_framework_parser_bit_for_bit(string text)
    {
        AssertSameAsFramework(text);
    }

    [Fact]
    public void Matches_the_framework_parser_on_random_shortest_and_truncated_decimals()
    {
        var random = new Random(12345);
        for (int i = 0; i < 200_000; i++)
        {
            float f = BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue));
            if (!float.IsFinite(f))
            {
                continue;
            }

            AssertSameAsFramework(f.ToString("R", CultureInfo.InvariantCulture));

            // Decimals with a few digits too many land close to float midpoints far more often than shortest forms.
            AssertSameAsFramework(((double)f).ToString("G12", CultureInfo.InvariantCulture));
            AssertSameAsFramework((random.NextDouble() * 2 - 1).ToString("G" + random.Next(1, 18).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public void Takes_the_fast_path_for_typical_embedding_values()
    {
        Assert.True(JsonFloat.TryParseExact("-0.012345678"u8, out float v));
        Assert.Equal(-0.012345678f, v);
        Assert.False(JsonFloat.TryParseExact("1.4e-45"u8, out _));
    }

    private static void AssertSameAsFramework(string text)
    {
        float expected = float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        Assert.True(JsonFloat.TryParse(Encoding.UTF8.GetBytes(text), out float actual), text);
        Assert.True(
            BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual),
            $"{text}: expected {expected:R}, got {actual:R}");
    }
}
