using System.Globalization;
using System.Text;
using NeuroAlign.Memory;
using nietras.SeparatedValues;

namespace NeuroAlign.Tables;

/// <summary>
/// The one reader of delimited text tables: BIDS events and physio files, pulse and frame-time
/// lists, session manifests. Tab or comma (detected), RFC 4180 quoting (a quoted cell may hold the
/// separator, a newline or a doubled quote), a UTF-8 byte-order mark, CRLF or LF, # comment lines,
/// blank lines, gzip input (detected by its magic, decompressed as it is read), a header row or
/// column names given from elsewhere (a BIDS sidecar). Cells are trimmed of the spaces around them
/// (not of spaces inside quotes); <c>n/a</c> is a missing value (BIDS §Tabular files); numbers are
/// parsed culture-invariant. Rows are tokenised by Sep (docs/architecture.md says why).
/// </summary>
public static class TableReader
{
    /// <summary>BIDS §Tabular files: the marker of a missing value.</summary>
    public const string MissingValue = "n/a";

    /// <summary>Reads the whole table into memory (events files, manifests: small tables read by column).</summary>
    /// <exception cref="InvalidRecordingException">A row of the wrong width, an unreadable gzip stream, no header.</exception>
    public static Table Read(string path, TableOptions? options = null)
    {
        using TableCursor rows = Open(path, options);
        var cells = new List<string[]>();
        var lines = new List<int>();
        int width = rows.Columns.Count;
        while (rows.MoveNext())
        {
            var row = new string[width];
            for (int c = 0; c < width; c++)
            {
                row[c] = rows.Text(c);
            }

            cells.Add(row);
            lines.Add(rows.LineNumber);
        }

        return new Table(path, rows.Columns, rows.HasHeader, rows.Separator, [.. cells], [.. lines]);
    }

    /// <summary>Opens <paramref name="path"/> to be read row by row (large tables: physio, long time lists).</summary>
    /// <exception cref="NeuroAlignException">The file cannot be read.</exception>
    public static TableCursor Open(string path, TableOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NeuroAlignException($"{path}: cannot read: {FileErrors.Describe(e)}", e);
        }

        try
        {
            return Open(file, path, options, ownsStream: true);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads a table from <paramref name="source"/> (seekable streams also get a truncated-gzip check); <paramref name="path"/> names it in messages.</summary>
    public static TableCursor Open(Stream source, string path, TableOptions? options = null, bool ownsStream = false)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(path);
        options ??= new TableOptions();
        GzipCheck? gzip = GzipCheck.TryStart(source, path, out Stream text, ownsStream);
        var reader = new StreamReader(text, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16, leaveOpen: false);
        try
        {
            return TableCursor.Start(reader, gzip, path, options);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Whether <paramref name="text"/> reads as a number (culture-invariant, as the reader parses cells).</summary>
    public static bool IsNumber(ReadOnlySpan<char> text) => TryParseNumber(text, out _);

    /// <summary>A cell as a number: culture-invariant (a decimal point, never a comma), exponents allowed; n/a is not a number.</summary>
    public static bool TryParseNumber(ReadOnlySpan<char> text, out double value) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    /// <summary>The separator a file of this name and first line uses: tab for .tsv/.tsv.gz or a line with a tab outside quotes, else comma.</summary>
    internal static char DetectSeparator(string path, string firstLine)
    {
        if (path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tsv.gz", StringComparison.OrdinalIgnoreCase))
        {
            return '\t';
        }

        bool quoted = false;
        foreach (char c in firstLine)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == '\t' && !quoted)
            {
                return '\t';
            }
        }

        return ',';
    }

    internal static SepReader CreateSep(char separator, TextReader text) =>
        Sep.New(separator).Reader(o => o with
        {
            HasHeader = false,
            // Width is checked here, with the file, line and both counts in the message.
            DisableColCountCheck = true,
            // Quotes are parsed (a separator inside one splits nothing) but cells are trimmed and
            // unquoted by TableCursor.Span: Sep 0.18's Unescape with Trim.Outer also trims blanks
            // inside a quoted cell that holds a doubled quote (" a""b" read as a"b).
            Unescape = false,
            Trim = SepTrim.None,
            CultureInfo = CultureInfo.InvariantCulture,
        }).From(text);
}
