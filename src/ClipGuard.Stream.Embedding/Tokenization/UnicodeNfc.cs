using System.Globalization;
using System.Text;

namespace ClipGuard.Stream.Embedding.Tokenization;

/// <summary>
/// NFC from tables in Assets/unicode-nfc.txt. Our hosts run with InvariantGlobalization, where string.Normalize
/// returns non-ASCII text unchanged, yet CLIP's clean-up (ftfy) ends in NFC: "e" + U+0301 must tokenize as "é".
/// </summary>
internal sealed class UnicodeNfc
{
    private const int SBase = 0xAC00, LBase = 0x1100, VBase = 0x1161, TBase = 0x11A7;
    private const int LCount = 19, VCount = 21, TCount = 28, NCount = VCount * TCount, SCount = LCount * NCount;

    private static readonly Lazy<UnicodeNfc> Default = new(() => Load(Path.Combine(AppContext.BaseDirectory, "Assets", "unicode-nfc.txt")));

    private readonly Dictionary<int, int[]> _decompositions = [];
    private readonly Dictionary<int, int> _combiningClass = [];
    private readonly Dictionary<(int, int), int> _composites = [];
    private readonly Dictionary<int, string> _compatibility = [];

    public static UnicodeNfc Instance => Default.Value;

    public static UnicodeNfc Load(string path)
    {
        var t = new UnicodeNfc();
        foreach (var line in File.ReadLines(path))
        {
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var f = line.Split(' ');
            // Every field is hexadecimal except a combining class, which UnicodeData.txt writes in decimal.
            var v = f.Skip(1).Select((x, i) => int.Parse(x, f[0] == "C" && i == 1 ? NumberStyles.Integer : NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
            switch (f[0])
            {
                case "D": t._decompositions[v[0]] = v[1..]; break;
                case "C": t._combiningClass[v[0]] = v[1]; break;
                case "P": t._composites[(v[0], v[1])] = v[2]; break;
                case "K": t._compatibility[v[0]] = string.Concat(v[1..].Select(char.ConvertFromUtf32)); break;
                default: throw new InvalidDataException($"{path}: unknown record '{line}'");
            }
        }

        return t;
    }

    /// <summary>The NFKC mapping of a Latin ligature (ﬁ → fi), or null for other characters.</summary>
    public string? LigatureExpansion(int codePoint) => _compatibility.GetValueOrDefault(codePoint);

    public string Normalize(string text)
    {
        if (Ascii.IsValid(text))
        {
            return text;
        }

        var cps = new List<int>(text.Length);
        foreach (var r in text.EnumerateRunes())
        {
            Decompose(r.Value, cps);
        }

        Reorder(cps);
        Compose(cps);
        var sb = new StringBuilder(cps.Count);
        foreach (var cp in cps)
        {
            sb.Append(char.ConvertFromUtf32(cp));
        }

        return sb.ToString();
    }

    private int Ccc(int cp) => _combiningClass.GetValueOrDefault(cp);

    private void Decompose(int cp, List<int> output)
    {
        if (cp is >= SBase and < SBase + SCount)
        {
            int s = cp - SBase;
            output.Add(LBase + s / NCount);
            output.Add(VBase + s % NCount / TCount);
            if (s % TCount != 0)
            {
                output.Add(TBase + s % TCount);
            }

            return;
        }

        if (_decompositions.TryGetValue(cp, out var parts))
        {
            foreach (var p in parts)
            {
                Decompose(p, output);
            }
        }
        else
        {
            output.Add(cp);
        }
    }

    // Canonical ordering: a stable sort of each run of non-starters by combining class.
    private void Reorder(List<int> cps)
    {
        for (int i = 1; i < cps.Count; i++)
        {
            int c = Ccc(cps[i]);
            if (c == 0)
            {
                continue;
            }

            for (int j = i; j > 0 && Ccc(cps[j - 1]) > c; j--)
            {
                (cps[j - 1], cps[j]) = (cps[j], cps[j - 1]);
            }
        }
    }

    // Canonical composition (UAX #15): join each character to the last starter unless a character in between blocks it.
    private void Compose(List<int> cps)
    {
        if (cps.Count == 0)
        {
            return;
        }

        int starter = Ccc(cps[0]) == 0 ? 0 : -1, lastClass = starter == 0 ? 0 : 256, write = 1;
        for (int read = 1; read < cps.Count; read++)
        {
            int cp = cps[read], c = Ccc(cp);
            bool blocked = starter < 0 || (lastClass != 0 || write - 1 != starter) && lastClass >= c;
            if (!blocked && TryCompose(cps[starter], cp, out int composed))
            {
                cps[starter] = composed;
                continue;
            }

            if (c == 0)
            {
                starter = write;
            }

            lastClass = c;
            cps[write++] = cp;
        }

        cps.RemoveRange(write, cps.Count - write);
    }

    private bool TryCompose(int first, int second, out int composed)
    {
        if (first is >= LBase and < LBase + LCount && second is >= VBase and < VBase + VCount)
        {
            composed = SBase + ((first - LBase) * VCount + second - VBase) * TCount;
            return true;
        }

        if (first is >= SBase and < SBase + SCount && (first - SBase) % TCount == 0 && second is > TBase and < TBase + TCount)
        {
            composed = first + second - TBase;
            return true;
        }

        return _composites.TryGetValue((first, second), out composed);
    }
}
