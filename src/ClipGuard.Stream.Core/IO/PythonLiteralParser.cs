using System.Globalization;
using System.Text;

namespace ClipGuard.Stream.Core.IO;

/// <summary>
/// Parses the Python literal a .npy header holds: dicts, tuples, lists, strings, integers, True/False/None.
/// Dicts become <see cref="Dictionary{TKey, TValue}"/> of string keys, tuples and lists <see cref="List{T}"/>,
/// integers <see cref="long"/>. Anything else is malformed: NumPy itself reads the header with ast.literal_eval.
/// </summary>
internal sealed class PythonLiteralParser
{
    private readonly string _s;
    private int _pos;

    private PythonLiteralParser(string s) => _s = s;

    /// <exception cref="FormatException">The text is not one literal of the supported kinds.</exception>
    public static object? Parse(string s)
    {
        var parser = new PythonLiteralParser(s);
        object? value = parser.Value();
        parser.SkipSpace();
        if (parser._pos != s.Length)
        {
            throw parser.Error("unexpected text after the literal");
        }

        return value;
    }

    private object? Value()
    {
        SkipSpace();
        if (_pos >= _s.Length)
        {
            throw Error("unexpected end");
        }

        char c = _s[_pos];
        return c switch
        {
            '{' => Dict(),
            '(' => Sequence(')'),
            '[' => Sequence(']'),
            '\'' or '"' => String(),
            _ when c == '-' || char.IsAsciiDigit(c) => Integer(),
            _ => Word(),
        };
    }

    private Dictionary<string, object?> Dict()
    {
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        _pos++;
        while (!TryConsume('}'))
        {
            if (Value() is not string key)
            {
                throw Error("dict key is not a string");
            }

            Expect(':');
            dict[key] = Value();
            if (!TryConsume(','))
            {
                Expect('}');
                break;
            }
        }

        return dict;
    }

    private List<object?> Sequence(char close)
    {
        var items = new List<object?>();
        _pos++;
        while (!TryConsume(close))
        {
            items.Add(Value());
            if (!TryConsume(','))
            {
                Expect(close);
                break;
            }
        }

        return items;
    }

    private string String()
    {
        char quote = _s[_pos++];
        var sb = new StringBuilder();
        while (_pos < _s.Length && _s[_pos] != quote)
        {
            char c = _s[_pos++];
            if (c == '\\' && _pos < _s.Length)
            {
                c = _s[_pos++];
            }

            sb.Append(c);
        }

        if (_pos >= _s.Length)
        {
            throw Error("unterminated string");
        }

        _pos++;
        return sb.ToString();
    }

    private long Integer()
    {
        int start = _pos;
        if (_s[_pos] == '-')
        {
            _pos++;
        }

        while (_pos < _s.Length && char.IsAsciiDigit(_s[_pos]))
        {
            _pos++;
        }

        if (!long.TryParse(_s.AsSpan(start, _pos - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value))
        {
            throw Error("bad integer");
        }

        // Files written by Python 2 spell shape entries as long literals: (3L, 4L).
        if (_pos < _s.Length && _s[_pos] is 'L' or 'l')
        {
            _pos++;
        }

        return value;
    }

    private object? Word()
    {
        int start = _pos;
        while (_pos < _s.Length && char.IsAsciiLetter(_s[_pos]))
        {
            _pos++;
        }

        return _s[start.._pos] switch
        {
            "True" => true,
            "False" => false,
            "None" => null,
            _ => throw Error("unexpected token"),
        };
    }

    private bool TryConsume(char c)
    {
        SkipSpace();
        if (_pos < _s.Length && _s[_pos] == c)
        {
            _pos++;
            return true;
        }

        return false;
    }

    private void Expect(char c)
    {
        if (!TryConsume(c))
        {
            throw Error($"expected '{c}'");
        }
    }

    private void SkipSpace()
    {
        while (_pos < _s.Length && char.IsWhiteSpace(_s[_pos]))
        {
            _pos++;
        }
    }

    private FormatException Error(string what) =>
        new($"{what} at character {_pos.ToString(CultureInfo.InvariantCulture)}");
}
