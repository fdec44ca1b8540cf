using System.Globalization;
using nietras.SeparatedValues;

namespace NeuroAlign.Tables;

/// <summary>
/// A table read one row at a time (<see cref="TableReader.Open(string, TableOptions?)"/>): after
/// each <see cref="MoveNext"/>, the row's cells by column index. Memory stays one buffer however
/// long the file. Blank and comment lines are skipped; every row has <see cref="Columns"/>' width
/// (checked), or fewer cells when short rows are allowed.
/// </summary>
public sealed class TableCursor : IDisposable
{
    private readonly TextReader _text;
    private readonly SepReader _sep;
    private readonly GzipCheck? _gzip;
    private readonly TableOptions _options;
    private bool _pending;
    private bool _done;
    private int _cellCount;
    private char[] _scratch = new char[64];

    private TableCursor(TextReader text, SepReader sep, GzipCheck? gzip, string path, TableOptions options, char separator)
    {
        _text = text;
        _sep = sep;
        _gzip = gzip;
        _options = options;
        SourcePath = path;
        Separator = separator;
    }

    /// <summary>The file read.</summary>
    public string SourcePath { get; }

    /// <summary>The column names: the header row's, the names given, or 1, 2, … for a headerless table.</summary>
    public IReadOnlyList<string> Columns { get; private set; } = [];

    /// <summary>Whether the first row was a header.</summary>
    public bool HasHeader { get; private set; }

    /// <summary>The cell separator (tab or comma, or the one given).</summary>
    public char Separator { get; }

    /// <summary>The current row's line in the file, from 1 (its first line, for a row with a quoted newline).</summary>
    public int LineNumber { get; private set; }

    /// <summary>The line of the header row, or 0 for a headerless table.</summary>
    public int HeaderLineNumber { get; private set; }

    internal static TableCursor Start(StreamReader reader, GzipCheck? gzip, string path, TableOptions options)
    {
        // The separator is judged on the first line that is not blank or a comment; the lines read
        // for that are handed to Sep again, so its line numbers stay the file's.
        var prefix = new System.Text.StringBuilder();
        string firstLine = string.Empty;
        try
        {
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                prefix.Append(line).Append('\n');
                if (!IsSkippedText(line, options.Comments))
                {
                    firstLine = line;
                    break;
                }
            }
        }
        catch (InvalidDataException e)
        {
            throw GzipCheck.Corrupt(path, 1, e);
        }

        char separator = options.Separator ?? TableReader.DetectSeparator(path, firstLine);
        TextReader text = new ReplayReader(prefix.ToString(), reader);
        if (options.Comments)
        {
            text = new CommentFilter(text);
        }

        try
        {
            // Sep reads ahead as it starts: a corrupt gzip stream can surface here, before any row.
            SepReader sep = TableReader.CreateSep(separator, text);
            var cursor = new TableCursor(text, sep, gzip, path, options, separator);
            cursor.ReadHeader();
            return cursor;
        }
        catch (InvalidDataException e)
        {
            throw GzipCheck.Corrupt(path, 1, e);
        }
    }

    /// <summary>Moves to the next data row; false at the end of the table.</summary>
    /// <exception cref="InvalidRecordingException">A row of the wrong width, or a corrupt or truncated gzip stream.</exception>
    public bool MoveNext()
    {
        if (_pending)
        {
            _pending = false;
            return true;
        }

        if (_done || !NextContentRow())
        {
            return false;
        }

        CheckWidth();
        return true;
    }

    /// <summary>Whether cell <paramref name="column"/> of the current row is n/a.</summary>
    public bool IsMissing(int column) => Span(column).SequenceEqual(TableReader.MissingValue);

    /// <summary>Cell <paramref name="column"/> of the current row as text: blanks around it trimmed, then unquoted; empty past a short row's end. Valid until the next call.</summary>
    public ReadOnlySpan<char> Span(int column)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(column, Columns.Count);
        return CellSpan(column);
    }

    /// <summary>The unquoted, trimmed cell; past the row's end, empty.</summary>
    private ReadOnlySpan<char> CellSpan(int column)
    {
        if (column >= _cellCount)
        {
            return [];
        }

        ReadOnlySpan<char> raw = _sep.Current[column].Span.Trim(' ');
        return raw.Length > 0 && raw[0] == '"' ? Unquote(raw) : raw;
    }

    /// <summary>Cell <paramref name="column"/> of the current row as a string (n/a as written).</summary>
    public string Text(int column) => Span(column).ToString();

    /// <summary>Cell <paramref name="column"/> as a number, culture-invariant; NaN for n/a.</summary>
    /// <param name="column">The column index.</param>
    /// <param name="expected">What the column holds, for the message: "a number of seconds or n/a".</param>
    /// <exception cref="InvalidRecordingException">A cell that is not a number or n/a, naming the file, line, column and text.</exception>
    public double Number(int column, string expected = "a number or n/a")
    {
        if (TryNumber(column, out double value))
        {
            return value;
        }

        if (IsMissing(column))
        {
            return double.NaN;
        }

        throw CellError(column, expected);
    }

    /// <summary>Cell <paramref name="column"/> as a number (n/a is not one).</summary>
    public bool TryNumber(int column, out double value)
    {
        return TableReader.TryParseNumber(Span(column), out value);
    }

    /// <summary>The one-line error for the current row's cell: file, line, column name, text found, <paramref name="expected"/>.</summary>
    public InvalidRecordingException CellError(int column, string expected) =>
        new(SourcePath, $"{_options.LineWord} {LineNumber}, column {ColumnLabel(column)}", $"'{Span(column)}'", expected);

    /// <summary>"onset" for a named column, "3" for a numbered one.</summary>
    public string ColumnLabel(int column) => Columns[column];

    /// <summary>The index of column <paramref name="name"/> (ordinal), or -1.</summary>
    public int TryIndexOf(string name) => Columns.ToList().IndexOf(name);

    /// <summary>The index of column <paramref name="name"/>.</summary>
    /// <exception cref="InvalidRecordingException">No such column; the message lists the columns.</exception>
    public int IndexOf(string name)
    {
        int c = TryIndexOf(name);
        return c >= 0
            ? c
            : throw new InvalidRecordingException(SourcePath, HasHeader ? "header" : "columns", $"columns {string.Join(", ", Columns)}", $"a column named '{name}'");
    }

    public void Dispose()
    {
        _sep.Dispose();
        _text.Dispose();
    }

    /// <summary>RFC 4180 §2.5-2.7: the text between the quotes, a doubled quote inside standing for one.</summary>
    private ReadOnlySpan<char> Unquote(ReadOnlySpan<char> quoted)
    {
        int end = quoted.Length >= 2 && quoted[^1] == '"' ? quoted.Length - 1 : quoted.Length;
        ReadOnlySpan<char> inner = quoted[1..end];
        if (!inner.Contains('"'))
        {
            return inner;
        }

        if (_scratch.Length < inner.Length)
        {
            _scratch = new char[Math.Max(inner.Length, _scratch.Length * 2)];
        }

        int written = 0;
        for (int i = 0; i < inner.Length; i++)
        {
            _scratch[written++] = inner[i];
            if (inner[i] == '"' && i + 1 < inner.Length && inner[i + 1] == '"')
            {
                i++;
            }
        }

        return _scratch.AsSpan(0, written);
    }

    private static bool IsSkippedText(ReadOnlySpan<char> line, bool comments)
    {
        ReadOnlySpan<char> trimmed = line.TrimStart();
        return trimmed.IsEmpty || (comments && trimmed[0] == '#');
    }

    private void ReadHeader()
    {
        if (!NextContentRow())
        {
            Columns = _options.ColumnNames ?? [];
            HasHeader = _options.Header == TableHeader.Present;
            if (HasHeader)
            {
                throw new InvalidRecordingException(SourcePath, $"{_options.LineWord} 1", $"no header {_options.LineWord}", "a header naming the columns");
            }

            return;
        }

        var first = new string[_cellCount];
        for (int c = 0; c < first.Length; c++)
        {
            first[c] = CellSpan(c).ToString();
        }

        HasHeader = _options.Header switch
        {
            TableHeader.Present => true,
            TableHeader.Absent => false,
            _ => first.Any(cell => cell != TableReader.MissingValue && !TableReader.IsNumber(cell)),
        };
        if (HasHeader)
        {
            HeaderLineNumber = LineNumber;
            Columns = first;
            return;
        }

        Columns = _options.ColumnNames
            ?? Enumerable.Range(1, first.Length).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        CheckWidth();
        _pending = true;
    }

    private bool NextContentRow()
    {
        try
        {
            while (_sep.MoveNext())
            {
                SepReader.Row row = _sep.Current;
                // Sep numbers the first row's lines from its end; the first row always starts on line 1.
                LineNumber = row.RowIndex == 0 ? 1 : row.LineNumberFrom;
                _cellCount = row.ColCount;
                // A blank line is not a row; a line of empty cells (tabs only) is.
                if (_cellCount == 1 && row.Span.IsWhiteSpace())
                {
                    continue;
                }

                return true;
            }
        }
        catch (InvalidDataException e)
        {
            throw GzipCheck.Corrupt(SourcePath, LineNumber, e);
        }

        _done = true;
        _cellCount = 0;
        _gzip?.Finish(LineNumber);
        return false;
    }

    private void CheckWidth()
    {
        int expected = Columns.Count;
        if (_cellCount == expected || (_options.AllowShortRows && _cellCount < expected))
        {
            return;
        }

        string separator = Separator switch
        {
            '\t' => "tab-separated",
            ',' => "comma-separated",
            _ => $"separated by '{Separator}'",
        };
        string what = HasHeader
            ? $"{(_options.AllowShortRows ? "at most " : string.Empty)}{expected}, one per header column ({separator}; header on {_options.LineWord} {HeaderLineNumber})"
            : _options.ColumnNames is not null
                ? $"{expected}, one per name in {_options.ColumnNamesSource} ({separator})"
                : $"{expected}, as in the first {_options.LineWord} ({separator})";
        throw new InvalidRecordingException(SourcePath, $"{_options.LineWord} {LineNumber}", $"{_cellCount} cells", what);
    }

    /// <summary>Text already read (to judge the separator) followed by the rest of the file.</summary>
    private sealed class ReplayReader(string prefix, TextReader rest) : SpanTextReader(rest)
    {
        private int _offset;

        public override int Peek() => _offset < prefix.Length ? prefix[_offset] : Inner.Peek();

        public override int Read() => _offset < prefix.Length ? prefix[_offset++] : Inner.Read();

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override int Read(Span<char> buffer)
        {
            if (_offset < prefix.Length)
            {
                int n = Math.Min(buffer.Length, prefix.Length - _offset);
                prefix.AsSpan(_offset, n).CopyTo(buffer);
                _offset += n;
                return n;
            }

            return Inner.Read(buffer);
        }
    }
}
