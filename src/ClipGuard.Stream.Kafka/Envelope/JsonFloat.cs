using System.Globalization;

namespace ClipGuard.Stream.Kafka.Envelope;

/// <summary>Parses a JSON number token into the correctly rounded <see cref="float"/>. Embeddings are hundreds of
/// numbers per message, and the general parser costs ~70 ns each; the fast path here (Clinger's: an exact integer
/// significand scaled once by an exact power of ten) covers the short decimals encoders write and is several times
/// faster. Anything it cannot prove exact goes to the general parser.</summary>
internal static class JsonFloat
{
    private const ulong MaxExactSignificand = 1UL << 53;
    private const int MaxExactPowerOfTen = 22;
    private const int MaxSignificantDigits = 19;

    /// <summary>2^-126, the smallest normal float.</summary>
    private const double MinNormalFloat = 1.1754943508222875e-38;

    /// <summary>Mask of the 29 double-mantissa bits below float precision; the pattern 1000...0 marks a float midpoint.</summary>
    private const long BelowFloatMask = (1L << 29) - 1;
    private const long FloatMidpoint = 1L << 28;

    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ];

    /// <summary>Parses <paramref name="utf8"/>, a number token already validated by the JSON reader. Out-of-range
    /// values come back as infinities (callers reject them); returns false only for text that is not a number.</summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8, out float value)
    {
        if (TryParseExact(utf8, out value))
        {
            return true;
        }

        return float.TryParse(utf8, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    internal static bool TryParseExact(ReadOnlySpan<byte> s, out float value)
    {
        value = 0;
        int i = 0;
        bool negative = false;
        if (i < s.Length && s[i] == (byte)'-')
        {
            negative = true;
            i++;
        }

        ulong significand = 0;
        int digits = 0;
        int exponent = 0;
        int start = i;
        for (; i < s.Length && IsDigit(s[i]); i++)
        {
            if (!Accumulate(s[i], ref significand, ref digits))
            {
                return false;
            }
        }

        if (i == start)
        {
            return false;
        }

        if (i < s.Length && s[i] == (byte)'.')
        {
            i++;
            for (; i < s.Length && IsDigit(s[i]); i++)
            {
                if (!Accumulate(s[i], ref significand, ref digits))
                {
                    return false;
                }

                exponent--;
            }
        }

        if (i < s.Length && (s[i] | 0x20) == (byte)'e')
        {
            i++;
            bool negativeExponent = false;
            if (i < s.Length && (s[i] == (byte)'-' || s[i] == (byte)'+'))
            {
                negativeExponent = s[i] == (byte)'-';
                i++;
            }

            int written = 0;
            int stated = 0;
            for (; i < s.Length && IsDigit(s[i]); i++)
            {
                // Exponents this large are out of the fast path's range anyway; stop before int overflow.
                if (++written > 4)
                {
                    return false;
                }

                stated = (stated * 10) + (s[i] - '0');
            }

            exponent += negativeExponent ? -stated : stated;
        }

        if (i != s.Length)
        {
            return false;
        }

        if (significand == 0)
        {
            value = negative ? -0.0f : 0.0f;
            return true;
        }

        if (significand > MaxExactSignificand || exponent < -MaxExactPowerOfTen || exponent > MaxExactPowerOfTen)
        {
            return false;
        }

        // One IEEE operation on exact operands: the double is the correctly rounded value of the decimal.
        double d = exponent < 0 ? significand / PowersOfTen[-exponent] : significand * PowersOfTen[exponent];

        // Outside the normal float range the float grid changes; leave those to the general parser.
        if (d < MinNormalFloat || d > float.MaxValue)
        {
            return false;
        }

        // Rounding the double to float is the second rounding. It can only differ from rounding the exact decimal
        // when the double landed exactly on a float midpoint (midpoints are doubles, and rounding is monotonic).
        if ((BitConverter.DoubleToInt64Bits(d) & BelowFloatMask) == FloatMidpoint)
        {
            return false;
        }

        value = (float)(negative ? -d : d);
        return true;
    }

    private static bool Accumulate(byte digit, ref ulong significand, ref int digits)
    {
        if (significand == 0 && digit == (byte)'0')
        {
            // Leading zeros are not significant.
            return true;
        }

        if (++digits > MaxSignificantDigits)
        {
            return false;
        }

        significand = (significand * 10) + (ulong)(digit - '0');
        return true;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;
}
