using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace ClipGuard.Stream.Embedding.Tokenization;

/// <summary>
/// CLIP's text clean-up before BPE: ftfy.fix_text, html.unescape twice, strip, collapse whitespace, lower-case.
/// ftfy is Python-only; this implements the subset of its default fixes that changes ordinary captions (see
/// docs/embedding.md): terminal escapes and control characters removed, curly quotes straightened, Latin ligatures
/// and fullwidth ASCII expanded, NFC. ftfy's mojibake repair is not reproduced. Lower-casing follows Python's
/// str.lower, including 'İ' → "i̇" and the final-sigma rule, because CLIP's vocabulary was built from that.
/// </summary>
internal static partial class TextCleaner
{
    public static string Clean(string text)
    {
        var fixedText = FtfySubset(text);
        var unescaped = WebUtility.HtmlDecode(WebUtility.HtmlDecode(fixedText));
        return PythonLower(CollapseWhitespace(unescaped));
    }

    /// <summary>Python's str.isspace: Unicode Zs/Zl/Zp plus \t\n\v\f\r, the separators \x1c-\x1f, and \x85.</summary>
    public static bool IsPythonSpace(Rune r) =>
        r.Value is (>= 0x09 and <= 0x0D) or (>= 0x1C and <= 0x1F) or 0x85 ||
        Rune.GetUnicodeCategory(r) is UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator;

    private static string FtfySubset(string text)
    {
        text = TerminalEscape().Replace(text, string.Empty);
        var sb = new StringBuilder(text.Length);
        foreach (var r in text.EnumerateRunes())
        {
            int cp = r.Value;
            if (IsControl(cp))
            {
                continue;
            }

            if (cp is 0x02BC or (>= 0x2018 and <= 0x201B))
            {
                sb.Append('\'');
            }
            else if (cp is >= 0x201C and <= 0x201F)
            {
                sb.Append('"');
            }
            else if (IsLatinLigature(cp))
            {
                sb.Append(UnicodeNfc.Instance.LigatureExpansion(cp));
            }
            else if (cp is >= 0xFF01 and <= 0xFF5E)
            {
                sb.Append((char)(cp - 0xFEE0));
            }
            else if (cp == 0x3000)
            {
                sb.Append(' ');
            }
            else
            {
                sb.Append(r.ToString());
            }
        }

        return UnicodeNfc.Instance.Normalize(sb.ToString());
    }

    // ftfy's remove_control_chars: C0 controls other than \t \n \f \r, DEL, deprecated format characters, the BOM,
    // interlinear annotation marks, musical formatting controls and language tags.
    private static bool IsControl(int cp) =>
        cp is (>= 0x00 and <= 0x08) or 0x0B or (>= 0x0E and <= 0x1F) or 0x7F or (>= 0x206A and <= 0x206F) or 0xFEFF
            or (>= 0xFFF9 and <= 0xFFFC) or (>= 0x1D173 and <= 0x1D17A) or (>= 0xE0000 and <= 0xE007F);

    private static bool IsLatinLigature(int cp) =>
        cp is 0x0132 or 0x0133 or 0x013F or 0x0140 or 0x0149 or (>= 0x01C4 and <= 0x01CC) or (>= 0x01F1 and <= 0x01F3) or (>= 0xFB00 and <= 0xFB06);

    private static string CollapseWhitespace(string text)
    {
        var sb = new StringBuilder(text.Length);
        bool pendingSpace = false;
        foreach (var r in text.EnumerateRunes())
        {
            if (IsPythonSpace(r))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }

            sb.Append(r.ToString());
        }

        return sb.ToString();
    }

    private static string PythonLower(string text)
    {
        var runes = text.EnumerateRunes().ToArray();
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < runes.Length; i++)
        {
            var r = runes[i];
            if (r.Value == 0x0130)
            {
                sb.Append("i\u0307");   // SpecialCasing.txt: the only unconditional multi-character lower-case mapping
            }
            else if (r.Value == 0x03A3)
            {
                sb.Append(IsFinalSigma(runes, i) ? 'ς' : 'σ');
            }
            else
            {
                sb.Append(Rune.ToLowerInvariant(r).ToString());
            }
        }

        return sb.ToString();
    }

    // Unicode's Final_Sigma: preceded by a cased letter and not followed by one, skipping case-ignorable characters.
    private static bool IsFinalSigma(Rune[] runes, int at)
    {
        int i = at - 1;
        while (i >= 0 && IsCaseIgnorable(runes[i]))
        {
            i--;
        }

        if (i < 0 || !IsCased(runes[i]))
        {
            return false;
        }

        int j = at + 1;
        while (j < runes.Length && IsCaseIgnorable(runes[j]))
        {
            j++;
        }

        return j >= runes.Length || !IsCased(runes[j]);
    }

    private static bool IsCased(Rune r) => Rune.GetUnicodeCategory(r) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter;

    private static bool IsCaseIgnorable(Rune r) =>
        r.Value is '\'' or '.' or ':' or 0x00B7 or 0x2019 ||
        Rune.GetUnicodeCategory(r) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;

    [GeneratedRegex(@"\x1b\[[0-9;]*[a-zA-Z]")]
    private static partial Regex TerminalEscape();
}
