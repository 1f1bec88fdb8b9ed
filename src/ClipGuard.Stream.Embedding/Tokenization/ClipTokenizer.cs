using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace ClipGuard.Stream.Embedding.Tokenization;

/// <summary>
/// CLIP's byte-level BPE over <c>bpe_simple_vocab_16e6.txt.gz</c>: clean and lower-case the text, split it with
/// CLIP's pre-tokenizer, map UTF-8 bytes to printable characters, merge by rank with a <c>&lt;/w&gt;</c> word end,
/// and frame with start/end-of-text in a zero-padded row of the context length. Thread-safe.
/// </summary>
public sealed class ClipTokenizer
{
    public const int StartOfText = 49406;
    public const int EndOfText = 49407;
    public const int DefaultContextLength = 77;

    /// <summary>Tokens of CLIP's BPE vocabulary (the end-of-text id is the last).</summary>
    public const int ClipVocabularySize = EndOfText + 1;

    private const string Sot = "<start_of_text>";
    private const string Eot = "<end_of_text>";
    private const int MergeCount = 49152 - 256 - 2;
    private const int CacheLimit = 100_000;
    private static readonly string[] Contractions = ["s", "t", "re", "ve", "m", "ll", "d"];

    private readonly string[] _byteChars;
    private readonly Dictionary<(string, string), int> _ranks;
    private readonly Dictionary<string, int> _ids;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);

    private ClipTokenizer(string[] byteChars, Dictionary<(string, string), int> ranks, Dictionary<string, int> ids)
    {
        _byteChars = byteChars;
        _ranks = ranks;
        _ids = ids;
    }

    public int VocabularySize => _ids.Count;

    /// <summary>The vocabulary shipped in Assets/ (a copy of OpenCLIP's, MIT licence alongside).</summary>
    public static ClipTokenizer LoadDefault() => Load(Path.Combine(AppContext.BaseDirectory, "Assets", "bpe_simple_vocab_16e6.txt.gz"));

    public static ClipTokenizer Load(string mergesGzPath)
    {
        string[] lines;
        using (var gz = new GZipStream(File.OpenRead(mergesGzPath), CompressionMode.Decompress))
        using (var reader = new StreamReader(gz, Encoding.UTF8))
        {
            lines = reader.ReadToEnd().Split('\n');
        }

        if (lines.Length < MergeCount + 1)
        {
            throw new InvalidDataException($"{mergesGzPath}: {lines.Length} lines, CLIP's vocabulary needs {MergeCount + 1}");
        }

        var (byteChars, order) = ByteAlphabet();
        var vocab = new List<string>(49408);
        vocab.AddRange(order.Select(b => byteChars[b]));
        vocab.AddRange(order.Select(b => byteChars[b] + "</w>"));
        var ranks = new Dictionary<(string, string), int>(MergeCount);
        // Line 0 is a version header; the merges that built the 49,408-entry vocabulary follow.
        for (int i = 0; i < MergeCount; i++)
        {
            var parts = lines[i + 1].Split(' ');
            if (parts.Length != 2)
            {
                throw new InvalidDataException($"{mergesGzPath}: line {i + 2} is not a merge pair");
            }

            ranks[(parts[0], parts[1])] = i;
            vocab.Add(parts[0] + parts[1]);
        }

        vocab.Add(Sot);
        vocab.Add(Eot);
        var ids = new Dictionary<string, int>(vocab.Count, StringComparer.Ordinal);
        for (int i = 0; i < vocab.Count; i++)
        {
            ids[vocab[i]] = i;
        }

        return new ClipTokenizer(byteChars, ranks, ids);
    }

    /// <summary>One row for the text tower: start, BPE ids, end; truncated to keep the end token; zero-padded.</summary>
    public int[] Tokenize(string text, int contextLength = DefaultContextLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(contextLength, 2);
        var body = Encode(text);
        var row = new int[contextLength];
        row[0] = StartOfText;
        int n = Math.Min(body.Count, contextLength - 2);
        body.CopyTo(0, row, 1, n);
        row[n + 1] = EndOfText;
        return row;
    }

    /// <summary>BPE ids of the cleaned text, without start/end tokens.</summary>
    public List<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<int>();
        foreach (var piece in PreTokenize(TextCleaner.Clean(text)))
        {
            result.AddRange(_cache.TryGetValue(piece, out var cached) ? cached : Remember(piece, Bpe(piece)));
        }

        return result;
    }

    private int[] Remember(string piece, int[] tokens)
    {
        if (_cache.Count >= CacheLimit)
        {
            _cache.Clear();
        }

        _cache[piece] = tokens;
        return tokens;
    }

    private int[] Bpe(string piece)
    {
        if (piece is Sot or Eot)
        {
            return [_ids[piece]];
        }

        var bytes = Encoding.UTF8.GetBytes(piece);
        var parts = new List<string>(bytes.Length);
        for (int i = 0; i < bytes.Length; i++)
        {
            parts.Add(i == bytes.Length - 1 ? _byteChars[bytes[i]] + "</w>" : _byteChars[bytes[i]]);
        }

        while (parts.Count > 1)
        {
            int best = int.MaxValue, at = -1;
            for (int i = 0; i < parts.Count - 1; i++)
            {
                if (_ranks.TryGetValue((parts[i], parts[i + 1]), out int rank) && rank < best)
                {
                    best = rank;
                    at = i;
                }
            }

            if (at < 0)
            {
                break;
            }

            // Merge every occurrence of the best pair, left to right, as CLIP does.
            string a = parts[at], b = parts[at + 1];
            var merged = new List<string>(parts.Count);
            for (int i = 0; i < parts.Count; i++)
            {
                if (i + 1 < parts.Count && parts[i] == a && parts[i + 1] == b)
                {
                    merged.Add(a + b);
                    i++;
                }
                else
                {
                    merged.Add(parts[i]);
                }
            }

            parts = merged;
        }

        return parts.Select(p => _ids[p]).ToArray();
    }

    /// <summary>
    /// CLIP's pre-tokenizer, <c>&lt;start_of_text&gt;|&lt;end_of_text&gt;|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+</c>,
    /// scanned by code point: .NET's Regex classifies UTF-16 units, so a letter outside the BMP (𝐁) would not count
    /// as \p{L} there.
    /// </summary>
    internal static IEnumerable<string> PreTokenize(string text)
    {
        int i = 0;
        while (i < text.Length)
        {
            if (string.CompareOrdinal(text, i, Sot, 0, Sot.Length) == 0 || string.CompareOrdinal(text, i, Eot, 0, Eot.Length) == 0)
            {
                int len = text[i + 1] == 's' ? Sot.Length : Eot.Length;
                yield return text.Substring(i, len);
                i += len;
                continue;
            }

            if (text[i] == '\'' && Contraction(text, i + 1) is { } c)
            {
                yield return "'" + c;
                i += 1 + c.Length;
                continue;
            }

            var r = RuneAt(text, i);
            var kind = Classify(r);
            if (kind == CharKind.Space)
            {
                i += r.Utf16SequenceLength;
                continue;
            }

            if (kind == CharKind.Number)
            {
                yield return text.Substring(i, r.Utf16SequenceLength);
                i += r.Utf16SequenceLength;
                continue;
            }

            int start = i;
            do
            {
                i += r.Utf16SequenceLength;
                if (i >= text.Length)
                {
                    break;
                }

                r = RuneAt(text, i);
            }
            while (Classify(r) == kind);
            yield return text[start..i];
        }
    }

    private static string? Contraction(string text, int at)
    {
        foreach (var c in Contractions)
        {
            if (string.CompareOrdinal(text, at, c, 0, c.Length) == 0 && at + c.Length <= text.Length)
            {
                return c;
            }
        }

        return null;
    }

    private static Rune RuneAt(string text, int i) =>
        Rune.DecodeFromUtf16(text.AsSpan(i), out var r, out _) == System.Buffers.OperationStatus.Done ? r : Rune.ReplacementChar;

    private static CharKind Classify(Rune r)
    {
        if (TextCleaner.IsPythonSpace(r))
        {
            return CharKind.Space;
        }

        return Rune.GetUnicodeCategory(r) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CharKind.Letter,
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CharKind.Number,
            _ => CharKind.Other,
        };
    }

    /// <summary>CLIP's byte → printable-character table and the byte order of the vocabulary's first 256 entries.</summary>
    private static (string[] Chars, List<int> Order) ByteAlphabet()
    {
        var chars = new string[256];
        var order = new List<int>(256);
        for (int b = 0; b < 256; b++)
        {
            if (b is (>= '!' and <= '~') or (>= 0xA1 and <= 0xAC) or (>= 0xAE and <= 0xFF))
            {
                chars[b] = ((char)b).ToString();
                order.Add(b);
            }
        }

        int extra = 0;
        for (int b = 0; b < 256; b++)
        {
            if (chars[b] is null)
            {
                chars[b] = ((char)(256 + extra++)).ToString();
                order.Add(b);
            }
        }

        return (chars, order);
    }

    private enum CharKind { Space, Letter, Number, Other }
}
