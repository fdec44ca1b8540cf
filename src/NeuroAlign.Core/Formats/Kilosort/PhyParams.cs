using System.Globalization;
using System.Text;

namespace NeuroAlign.Formats.Kilosort;

/// <summary>
/// A phy/Kilosort <c>params.py</c>: Python assignments of literals (<c>sample_rate = 30000.0</c>,
/// <c>dat_path = 'run.bin'</c> or <c>['run.bin']</c>, <c>hp_filtered = True</c>). The file is
/// parsed, never executed: each non-blank, non-comment line must be <c>NAME = LITERAL</c> where a
/// literal is a number, a string (', ", r'…'), True/False/None, or a list or tuple of those.
/// Anything else is one line naming the file, the line and what was found.
/// </summary>
public sealed class PhyParams
{
    /// <summary>The longest params.py read: Kilosort's are a few hundred bytes; a larger file is not one.</summary>
    public const int MaxBytes = 1 << 20;

    private readonly Dictionary<string, object?> _values;

    private PhyParams(string path, Dictionary<string, object?> values)
    {
        Path = path;
        _values = values;
    }

    public string Path { get; }

    /// <summary>The names assigned, in no particular order.</summary>
    public IReadOnlyCollection<string> Names => _values.Keys;

    /// <summary>Reads and parses <paramref name="path"/>.</summary>
    /// <exception cref="InvalidRecordingException">Not a params.py of literal assignments.</exception>
    public static PhyParams Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        long length = new FileInfo(path).Length;
        if (length > MaxBytes)
        {
            throw new InvalidRecordingException(path, "size", $"{length} bytes", $"a params.py of at most {MaxBytes} bytes");
        }

        return Parse(path, File.ReadAllText(path, Encoding.UTF8));
    }

    /// <summary>Parses the text of a params.py (<paramref name="path"/> names it in errors).</summary>
    public static PhyParams Parse(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(text);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].TrimEnd('\r');
            var cursor = new Cursor(path, i + 1, line);
            cursor.SkipBlanks();
            if (cursor.AtEndOrComment)
            {
                continue;
            }

            string name = cursor.Name();
            cursor.SkipBlanks();
            cursor.Expect('=', "'=' after the name");
            cursor.SkipBlanks();
            object? value = cursor.Literal(depth: 0);
            cursor.SkipBlanks();
            if (!cursor.AtEndOrComment)
            {
                throw cursor.Error("the end of the line after the value");
            }

            values[name] = value;
        }

        return new PhyParams(path, values);
    }

    public bool Has(string name) => _values.ContainsKey(name);

    /// <summary>A number, or null when the name is not assigned; anything else assigned is an error.</summary>
    public double? Number(string name) => _values.TryGetValue(name, out object? v)
        ? v switch
        {
            double d => d,
            long l => l,
            _ => throw new InvalidRecordingException(Path, name, Show(v), "a number"),
        }
        : null;

    /// <summary>A string, the only string of a list (phy writes <c>dat_path = ['run.bin']</c>), or null when not assigned.</summary>
    public string? Text(string name) => _values.TryGetValue(name, out object? v)
        ? v switch
        {
            string s => s,
            object?[] { Length: 1 } list when list[0] is string s => s,
            object?[] list when list.Length > 1 && list.All(x => x is string) => (string)list[0]!,
            null => null,
            _ => throw new InvalidRecordingException(Path, name, Show(v), "a string"),
        }
        : null;

    /// <summary>Every string of a list or the one string (dat_path of a concatenated sort lists several files).</summary>
    public IReadOnlyList<string> Texts(string name) => _values.TryGetValue(name, out object? v)
        ? v switch
        {
            string s => [s],
            object?[] list when list.All(x => x is string) => [.. list.Cast<string>()],
            null => [],
            _ => throw new InvalidRecordingException(Path, name, Show(v), "a string or a list of strings"),
        }
        : [];

    /// <summary>True/False, or null when not assigned.</summary>
    public bool? Flag(string name) => _values.TryGetValue(name, out object? v)
        ? v switch
        {
            bool b => b,
            long l when l is 0 or 1 => l == 1,
            _ => throw new InvalidRecordingException(Path, name, Show(v), "True or False"),
        }
        : null;

    private static string Show(object? v) => v switch
    {
        null => "None",
        string s => $"'{s}'",
        bool b => b ? "True" : "False",
        object?[] list => $"[{string.Join(", ", list.Select(Show))}]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => v.ToString() ?? string.Empty,
    };

    /// <summary>Reads one line left to right.</summary>
    private sealed class Cursor(string path, int lineNumber, string line)
    {
        private int _at;

        public bool AtEndOrComment => _at >= line.Length || line[_at] == '#';

        public void SkipBlanks()
        {
            while (_at < line.Length && line[_at] is ' ' or '\t')
            {
                _at++;
            }
        }

        public void Expect(char c, string what)
        {
            if (_at >= line.Length || line[_at] != c)
            {
                throw Error(what);
            }

            _at++;
        }

        public string Name()
        {
            int start = _at;
            while (_at < line.Length && (char.IsAsciiLetterOrDigit(line[_at]) || line[_at] == '_'))
            {
                _at++;
            }

            if (_at == start || char.IsAsciiDigit(line[start]))
            {
                throw Error("an assignment NAME = VALUE (params.py is read, never run)");
            }

            return line[start.._at];
        }

        public object? Literal(int depth)
        {
            if (depth > 4)
            {
                throw Error("lists nested at most 4 deep");
            }

            if (_at >= line.Length)
            {
                throw Error("a value");
            }

            char c = line[_at];
            if (c is '[' or '(')
            {
                return List(c == '[' ? ']' : ')', depth);
            }

            if (c is '\'' or '"' || (c is 'r' or 'R' or 'u' or 'U' && _at + 1 < line.Length && line[_at + 1] is '\'' or '"'))
            {
                return String();
            }

            int start = _at;
            while (_at < line.Length && (char.IsAsciiLetterOrDigit(line[_at]) || line[_at] is '.' or '+' or '-' or '_'))
            {
                _at++;
            }

            string word = line[start.._at];
            switch (word)
            {
                case "True": return true;
                case "False": return false;
                case "None": return null;
            }

            string digits = word.Replace("_", string.Empty, StringComparison.Ordinal);
            if (long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long whole))
            {
                return whole;
            }

            if (digits.Length > 0 && !digits.Contains("inf", StringComparison.OrdinalIgnoreCase) && !digits.Contains("nan", StringComparison.OrdinalIgnoreCase)
                && double.TryParse(digits, NumberStyles.Float, CultureInfo.InvariantCulture, out double number) && double.IsFinite(number))
            {
                return number;
            }

            _at = start;
            throw Error("a literal: a number, a quoted string, True, False, None or a list");
        }

        public InvalidRecordingException Error(string expected)
        {
            string rest = _at >= line.Length ? "the end of the line" : $"'{Clip(line[_at..])}'";
            return new InvalidRecordingException(path, $"line {lineNumber}, column {_at + 1}", rest, expected);
        }

        private static string Clip(string s) => s.Length > 40 ? s[..40] + "…" : s;

        private object?[] List(char close, int depth)
        {
            _at++;
            var items = new List<object?>();
            while (true)
            {
                SkipBlanks();
                if (_at < line.Length && line[_at] == close)
                {
                    _at++;
                    return [.. items];
                }

                items.Add(Literal(depth + 1));
                SkipBlanks();
                if (_at < line.Length && line[_at] == ',')
                {
                    _at++;
                    continue;
                }

                Expect(close, $"',' or '{close}' in the list");
                return [.. items];
            }
        }

        private string String()
        {
            bool raw = false;
            while (line[_at] is 'r' or 'R' or 'u' or 'U')
            {
                raw |= line[_at] is 'r' or 'R';
                _at++;
            }

            char quote = line[_at++];
            var text = new StringBuilder();
            while (true)
            {
                if (_at >= line.Length)
                {
                    throw Error($"the closing {quote} of the string");
                }

                char c = line[_at++];
                if (c == quote)
                {
                    return text.ToString();
                }

                if (c == '\\' && !raw && _at < line.Length)
                {
                    char e = line[_at++];
                    text.Append(e switch { 'n' => '\n', 't' => '\t', '\\' => '\\', '\'' => '\'', '"' => '"', _ => e });
                    if (e is not ('n' or 't' or '\\' or '\'' or '"'))
                    {
                        text.Insert(text.Length - 1, '\\');
                    }

                    continue;
                }

                text.Append(c);
            }
        }
    }
}
