using ClipGuard.Stream.Embedding.Tokenization;

namespace ClipGuard.Stream.Embedding.Tests;

public sealed class UnicodeNfcTests
{
    [Theory]
    [InlineData("e\u0301", "\u00e9")]                      // combining acute composes
    [InlineData("\u212b", "\u00c5")]                       // Angstrom sign is a singleton: decomposes, recomposes to Å
    [InlineData("\u1100\u1161\u11a8", "\uac01")]           // Hangul L+V+T composes algorithmically
    [InlineData("a\u0302\u0323", "\u1ead")]                // marks reordered by class (dot below 220 before circumflex 230)
    [InlineData("\u0344", "\u0308\u0301")]                 // composition exclusion stays decomposed
    [InlineData("plain ascii", "plain ascii")]
    public void Normalizes_like_unicode_nfc(string input, string expected) =>
        Assert.Equal(expected, UnicodeNfc.Instance.Normalize(input));
}
