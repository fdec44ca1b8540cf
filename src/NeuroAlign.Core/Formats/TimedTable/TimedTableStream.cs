using System.Globalization;
using System.Runtime.InteropServices;
using NeuroAlign.Formats.Npy;
using NeuroAlign.Streams;
using NeuroAlign.Tables;
using NeuroAlign.Time;

namespace NeuroAlign.Formats.TimedTable;

/// <summary>How to read a timestamped table.</summary>
/// <param name="TimeColumn">The column of times; null chooses one named like a time (<see cref="TimeColumns.Names"/>), or column 0 of a .npy.</param>
/// <param name="OnWarning">Receives notices (text columns left out).</param>
public sealed record TimedTableOptions(string? TimeColumn = null, Action<string>? OnWarning = null);

/// <summary>
/// A table of timestamped numbers (wheel position, lick sensor, pupil diameter): one row per sample
/// at its own time, so samples are irregular in time and the clock is the time column itself
/// (an <see cref="ExplicitClock"/>, as a variable-frame-rate video's). CSV/TSV through the one
/// table reader (header required), or a 2-D .npy [rows, columns] whose columns are named by their
/// index (0, 1, …). Every numeric column but the time column is a channel, held as float32 (n/a as
/// NaN); text columns are left out with a warning. Times must be finite and strictly increasing.
/// </summary>
public sealed class TimedTableStream : ITableStream
{
    /// <summary>The stream's format name.</summary>
    public const string Format = "table";

    /// <summary>The most values (rows × columns) a table may hold: tables are read into memory, so this bounds it (2 GB of float32).</summary>
    public const long MaxValues = 1L << 29;

    private readonly float[] _values;
    private readonly int[] _shape;
    private bool _disposed;

    private TimedTableStream(string path, string timeColumn, string[] columns, double[] times, float[] values, IReadOnlyList<string> leftOut)
    {
        SourcePath = path;
        TimeColumn = timeColumn;
        Columns = columns;
        _values = values;
        _shape = [columns.Length];
        Clock = new ExplicitClock(times, sourceDescription: Printable.Escape($"{Path.GetFileName(path)} column {timeColumn}"));
        LeftOutColumns = leftOut;
    }

    public string SourcePath { get; }

    public string FormatName => Format;

    /// <summary>The time column's name.</summary>
    public string TimeColumn { get; }

    /// <summary>The channels' names, in file order.</summary>
    public IReadOnlyList<string> Columns { get; }

    public IReadOnlyList<KeyValuePair<string, string>> OutputAttributes => [];

    /// <summary>Text columns that were not read.</summary>
    public IReadOnlyList<string> LeftOutColumns { get; }

    /// <summary>Row times, on the clock the table was timed on.</summary>
    public SampleClock Clock { get; }

    public SampleType ElementType => SampleType.Float32;

    public IReadOnlyList<int> SampleShape => _shape;

    public IReadOnlyList<KeyValuePair<string, string>> Details
    {
        get
        {
            var details = new List<KeyValuePair<string, string>>
            {
                new("time column", Printable.Escape(TimeColumn)),
                new("columns", Printable.Escape(string.Join(", ", Columns))),
                new("rows", Clock.SampleCount.ToString(CultureInfo.InvariantCulture)),
                new("time span", Clock.SampleCount == 0 ? "no rows" : $"{Clock.StartSeconds:R} s to {Clock.TimeOf(Clock.SampleCount - 1):R} s"),
                new("values", "float32; n/a or empty as NaN"),
            };
            if (LeftOutColumns.Count > 0)
            {
                details.Add(new("left out (not numbers)", Printable.Escape(string.Join(", ", LeftOutColumns))));
            }

            return details;
        }
    }

    /// <summary>Opens a .csv/.tsv (text, gzip detected) or a .npy table.</summary>
    /// <exception cref="InvalidRecordingException">No time column, a time that is not a finite number, times that do not increase, no numeric column, too many values.</exception>
    public static TimedTableStream Open(string path, TimedTableOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new TimedTableOptions();
        return path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) ? OpenNpy(path, options) : OpenText(path, options);
    }

    private static TimedTableStream OpenText(string path, TimedTableOptions options)
    {
        using TableCursor rows = TableReader.Open(path, new TableOptions { Header = TableHeader.Detect });
        if (!rows.HasHeader)
        {
            throw new InvalidRecordingException(path, "line 1", "numbers, no header row", "a header naming the columns (time, then e.g. wheel_position)");
        }

        int time = options.TimeColumn is { } named ? rows.IndexOf(named) : TimeColumns.Find(rows.Columns);
        if (time < 0)
        {
            throw new InvalidRecordingException(
                path, $"line {rows.HeaderLineNumber} (header)", $"columns {string.Join(", ", rows.Columns)}", $"a time column named one of {string.Join(", ", TimeColumns.Names)}, or one chosen by name");
        }

        // One pass: each other column is kept as float32 while every cell is a number (or n/a,
        // or empty); a column with text is dropped there and then, so nothing but numbers is held.
        int columnCount = rows.Columns.Count;
        var numbers = new List<float>?[columnCount];
        for (int c = 0; c < columnCount; c++)
        {
            numbers[c] = c == time ? null : [];
        }

        var leftOut = new List<string>();
        var times = new List<double>();
        int previousLine = 0;
        while (rows.MoveNext())
        {
            if (!rows.TryNumber(time, out double t) || !double.IsFinite(t))
            {
                throw new InvalidRecordingException(path, $"line {rows.LineNumber}, column {rows.Columns[time]}", $"'{rows.Span(time)}'", "a finite time in seconds on every row");
            }

            if (times.Count > 0 && !(t > times[^1]))
            {
                throw new InvalidRecordingException(
                    path,
                    $"line {rows.LineNumber}, column {rows.Columns[time]}",
                    $"{ReaderLimits.Number(t)} after {ReaderLimits.Number(times[^1])} on line {previousLine}",
                    "strictly increasing times (sort the table by time, and drop repeated rows)");
            }

            times.Add(t);
            previousLine = rows.LineNumber;
            for (int c = 0; c < columnCount; c++)
            {
                if (numbers[c] is not { } column)
                {
                    continue;
                }

                if (rows.TryNumber(c, out double v))
                {
                    column.Add((float)v);
                }
                else if (rows.IsMissing(c) || rows.Span(c).IsEmpty)
                {
                    column.Add(float.NaN);
                }
                else
                {
                    numbers[c] = null;
                    leftOut.Add(rows.Columns[c]);
                    options.OnWarning?.Invoke(Printable.Escape($"{path}: column {rows.Columns[c]} is left out: line {rows.LineNumber} holds '{Printable.Excerpt(rows.Text(c))}', not a number"));
                }
            }

            if ((long)times.Count * columnCount > MaxValues)
            {
                throw TooLarge(path, $"more than {times.Count} rows of {columnCount} columns");
            }
        }

        if (times.Count == 0)
        {
            throw new InvalidRecordingException(path, "rows", "none", "at least one row of data under the header");
        }

        int[] kept = [.. Enumerable.Range(0, columnCount).Where(c => numbers[c] is not null)];
        if (kept.Length == 0)
        {
            throw new InvalidRecordingException(path, "columns", $"only the time column {rows.Columns[time]} holds numbers", "at least one numeric column besides the times");
        }

        float[] values = new float[(long)times.Count * kept.Length];
        for (int k = 0; k < kept.Length; k++)
        {
            List<float> column = numbers[kept[k]]!;
            for (int r = 0; r < column.Count; r++)
            {
                values[((long)r * kept.Length) + k] = column[r];
            }
        }

        return new TimedTableStream(path, rows.Columns[time], [.. kept.Select(c => rows.Columns[c])], [.. times], values, leftOut);
    }

    private static TimedTableStream OpenNpy(string path, TimedTableOptions options)
    {
        using NpyArray array = NpyArray.Open(path);
        IReadOnlyList<long> shape = array.Header.Shape;
        if (shape.Count != 2 || shape[1] < 2)
        {
            throw new InvalidRecordingException(path, "header 'shape'", $"({string.Join(", ", shape)})", "a 2-D table (rows, columns) with a time column and at least one other");
        }

        if (shape[0] * shape[1] > MaxValues || shape[1] > ReaderLimits.MaxChannels)
        {
            throw TooLarge(path, $"shape ({shape[0]}, {shape[1]})");
        }

        int rows = (int)shape[0], columns = (int)shape[1];
        int time = 0;
        if (options.TimeColumn is { } named
            && !(int.TryParse(named, NumberStyles.None, CultureInfo.InvariantCulture, out time) && time < columns))
        {
            throw new InvalidRecordingException(path, "columns", $"{columns} columns, named 0 to {columns - 1} (a .npy has no names)", $"a time column among them, not '{named}'");
        }

        if (rows == 0)
        {
            throw new InvalidRecordingException(path, "header 'shape'", $"({rows}, {columns})", "at least one row");
        }

        var times = new double[rows];
        var values = new float[(long)rows * (columns - 1)];
        for (int r = 0; r < rows; r++)
        {
            long row = (long)r * columns;
            double t = array.GetDouble(row + time);
            if (!double.IsFinite(t) || (r > 0 && !(t > times[r - 1])))
            {
                throw new InvalidRecordingException(
                    path,
                    $"row {r}, column {time}",
                    r > 0 && double.IsFinite(t) ? $"{ReaderLimits.Number(t)} after {ReaderLimits.Number(times[r - 1])} in row {r - 1}" : ReaderLimits.Number(t),
                    double.IsFinite(t) ? "strictly increasing times (sort the table by time, and drop repeated rows)" : "a finite time in seconds on every row");
            }

            times[r] = t;
            for (int c = 0, k = 0; c < columns; c++)
            {
                if (c != time)
                {
                    values[((long)r * (columns - 1)) + k++] = (float)array.GetDouble(row + c);
                }
            }
        }

        string[] names = [.. Enumerable.Range(0, columns).Where(c => c != time).Select(c => c.ToString(CultureInfo.InvariantCulture))];
        return new TimedTableStream(path, time.ToString(CultureInfo.InvariantCulture), names, times, values, []);
    }

    private static InvalidRecordingException TooLarge(string path, string found) =>
        new(path, "size", found, $"at most {MaxValues} values (rows × columns), since a table is read into memory; split it, or give it as a recording");

    public void ReadSamples(ReadOnlySpan<long> indices, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int channels = _shape[0];
        Span<float> target = MemoryMarshal.Cast<byte, float>(destination);
        if (target.Length < indices.Length * channels)
        {
            throw new ArgumentException("destination is smaller than the samples asked for", nameof(destination));
        }

        long count = Clock.SampleCount;
        for (int i = 0; i < indices.Length; i++)
        {
            long k = indices[i];
            Span<float> sample = target.Slice(i * channels, channels);
            if (k == -1)
            {
                sample.Clear();
                continue;
            }

            if (k < 0 || k >= count)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), k, $"sample index outside 0..{count - 1} (or -1 for outside the recording)");
            }

            _values.AsSpan((int)(k * channels), channels).CopyTo(sample);
        }
    }

    public void Dispose() => _disposed = true;
}
