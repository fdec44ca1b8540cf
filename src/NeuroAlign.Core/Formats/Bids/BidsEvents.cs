using System.Globalization;
using NeuroAlign.Memory;

namespace NeuroAlign.Formats.Bids;

/// <summary>
/// A BIDS events file (<c>*_events.tsv</c>, BIDS §Task events): one row per event with its
/// <c>onset</c> and <c>duration</c> in seconds from the first volume's onset, an optional
/// <c>trial_type</c>, and any other columns. "n/a" marks a missing value.
/// </summary>
public sealed class BidsEvents
{
    /// <summary>BIDS §Tabular files: the marker of a missing value.</summary>
    public const string MissingValue = "n/a";

    private readonly string[][] _rows;
    private readonly Dictionary<string, int> _columnIndex;

    private BidsEvents(string path, string[] columns, string[][] rows, double[] onsets, double[] durations)
    {
        SourcePath = path;
        Columns = columns;
        _rows = rows;
        _columnIndex = columns.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        OnsetsSeconds = onsets;
        DurationsSeconds = durations;
    }

    /// <summary>The file read.</summary>
    public string SourcePath { get; }

    /// <summary>Column names, as in the header line.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Number of events (rows).</summary>
    public int Count => _rows.Length;

    /// <summary>Each event's onset, seconds from the first volume's onset (may be negative).</summary>
    public IReadOnlyList<double> OnsetsSeconds { get; }

    /// <summary>Each event's duration, seconds; NaN where the file says n/a.</summary>
    public IReadOnlyList<double> DurationsSeconds { get; }

    /// <summary>The trial_type of each event (null for n/a), or null when the file has no such column.</summary>
    public IReadOnlyList<string?>? TrialTypes => HasColumn("trial_type") ? GetColumn("trial_type") : null;

    /// <summary>Whether the file has a column called <paramref name="name"/>.</summary>
    public bool HasColumn(string name) => _columnIndex.ContainsKey(name);

    /// <summary>The values of a column as written (null for n/a).</summary>
    public IReadOnlyList<string?> GetColumn(string name)
    {
        int c = IndexOf(name);
        return _rows.Select(r => r[c] == MissingValue ? null : r[c]).ToArray();
    }

    /// <summary>A column as numbers (NaN for n/a).</summary>
    /// <exception cref="InvalidRecordingException">A value that is not a number.</exception>
    public double[] GetNumericColumn(string name)
    {
        int c = IndexOf(name);
        var values = new double[_rows.Length];
        for (int r = 0; r < _rows.Length; r++)
        {
            values[r] = ParseNumber(SourcePath, _rows[r][c], r + 2, name, allowMissing: true);
        }

        return values;
    }

    /// <summary>Reads and validates <paramref name="path"/>.</summary>
    /// <exception cref="InvalidRecordingException">No onset or duration column, a row of the wrong width, an onset that is not a number.</exception>
    public static BidsEvents Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NeuroAlignException($"{path}: cannot read: {FileErrors.Describe(e)}", e);
        }

        if (lines.Length == 0 || lines[0].Length == 0)
        {
            throw new InvalidRecordingException(path, "line 1", "no header line", "tab-separated column names starting with onset, duration");
        }

        string[] columns = lines[0].Split('\t').Select(c => c.Trim()).ToArray();
        foreach (string required in new[] { "onset", "duration" })
        {
            if (!columns.Contains(required))
            {
                throw new InvalidRecordingException(path, "line 1 (header)", $"columns {string.Join(", ", columns)}", $"an '{required}' column (BIDS §Task events)");
            }
        }

        int onsetColumn = Array.IndexOf(columns, "onset"), durationColumn = Array.IndexOf(columns, "duration");
        var rows = new List<string[]>();
        var onsets = new List<double>();
        var durations = new List<double>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }

            string[] fields = lines[i].Split('\t');
            if (fields.Length != columns.Length)
            {
                throw new InvalidRecordingException(path, $"line {i + 1}", $"{fields.Length} tab-separated values", $"{columns.Length}, one per column of the header");
            }

            onsets.Add(ParseNumber(path, fields[onsetColumn], i + 1, "onset", allowMissing: false));
            double duration = ParseNumber(path, fields[durationColumn], i + 1, "duration", allowMissing: true);
            if (duration < 0)
            {
                throw new InvalidRecordingException(path, $"line {i + 1}, column duration", fields[durationColumn], "zero or more seconds, or n/a");
            }

            durations.Add(duration);
            rows.Add(fields);
        }

        return new BidsEvents(path, columns, [.. rows], [.. onsets], [.. durations]);
    }

    private int IndexOf(string name) =>
        _columnIndex.TryGetValue(name, out int c)
            ? c
            : throw new NeuroAlignException($"{SourcePath}: no column '{name}' (columns: {string.Join(", ", Columns)})");

    private static double ParseNumber(string path, string text, int line, string column, bool allowMissing)
    {
        if (allowMissing && text == MissingValue)
        {
            return double.NaN;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || !double.IsFinite(value))
        {
            throw new InvalidRecordingException(path, $"line {line}, column {column}", $"'{text}'", allowMissing ? "a number of seconds or n/a" : "a number of seconds");
        }

        return value;
    }
}
