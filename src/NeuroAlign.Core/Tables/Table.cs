namespace NeuroAlign.Tables;

/// <summary>
/// A table read whole (<see cref="TableReader.Read"/>): column names and every cell as text, with
/// each row's line in the file for messages. Numbers are parsed per column on request.
/// </summary>
public sealed class Table
{
    private readonly string[][] _rows;
    private readonly int[] _lines;

    internal Table(string path, IReadOnlyList<string> columns, bool hasHeader, char separator, string[][] rows, int[] lines)
    {
        SourcePath = path;
        Columns = columns;
        HasHeader = hasHeader;
        Separator = separator;
        _rows = rows;
        _lines = lines;
    }

    /// <summary>The file read.</summary>
    public string SourcePath { get; }

    /// <summary>Column names: the header's, the names given, or 1, 2, … for a headerless table.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Whether the first row was a header.</summary>
    public bool HasHeader { get; }

    /// <summary>The cell separator.</summary>
    public char Separator { get; }

    /// <summary>Number of data rows.</summary>
    public int RowCount => _rows.Length;

    /// <summary>The line in the file row <paramref name="row"/> starts on, from 1.</summary>
    public int LineOf(int row) => _lines[row];

    /// <summary>The cell as written (unquoted, trimmed; n/a as it is; empty past a short row's end).</summary>
    public string Cell(int row, int column) => _rows[row][column];

    /// <summary>The cell as text, null for n/a.</summary>
    public string? Text(int row, int column) => IsMissing(row, column) ? null : _rows[row][column];

    /// <summary>Whether the cell is n/a.</summary>
    public bool IsMissing(int row, int column) => _rows[row][column] == TableReader.MissingValue;

    /// <summary>The index of column <paramref name="name"/> (ordinal), or -1.</summary>
    public int TryIndexOf(string name)
    {
        for (int c = 0; c < Columns.Count; c++)
        {
            if (string.Equals(Columns[c], name, StringComparison.Ordinal))
            {
                return c;
            }
        }

        return -1;
    }

    /// <summary>The index of column <paramref name="name"/>.</summary>
    /// <exception cref="InvalidRecordingException">No such column; the message lists the columns.</exception>
    public int IndexOf(string name)
    {
        int c = TryIndexOf(name);
        return c >= 0
            ? c
            : throw new InvalidRecordingException(SourcePath, HasHeader ? "header" : "columns", $"columns {string.Join(", ", Columns)}", $"a column named '{name}'");
    }

    /// <summary>A column as text, null for n/a.</summary>
    public string?[] TextColumn(int column)
    {
        var values = new string?[_rows.Length];
        for (int r = 0; r < values.Length; r++)
        {
            values[r] = Text(r, column);
        }

        return values;
    }

    /// <summary>The cell as a number, culture-invariant; NaN for n/a.</summary>
    /// <exception cref="InvalidRecordingException">Not a number or n/a: names the file, line, column and text.</exception>
    public double Number(int row, int column, string expected = "a number or n/a")
    {
        string text = _rows[row][column];
        if (TableReader.TryParseNumber(text, out double value))
        {
            return value;
        }

        return text == TableReader.MissingValue ? double.NaN : throw CellError(row, column, expected);
    }

    /// <summary>A column as numbers (NaN for n/a).</summary>
    public double[] NumberColumn(int column, string expected = "a number or n/a")
    {
        var values = new double[_rows.Length];
        for (int r = 0; r < values.Length; r++)
        {
            values[r] = Number(r, column, expected);
        }

        return values;
    }

    /// <summary>The one-line error for a cell: file, line, column name, text found, <paramref name="expected"/>.</summary>
    public InvalidRecordingException CellError(int row, int column, string expected) =>
        new(SourcePath, $"line {_lines[row]}, column {Columns[column]}", $"'{_rows[row][column]}'", expected);
}
