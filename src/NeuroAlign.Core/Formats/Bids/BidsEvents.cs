using NeuroAlign.Tables;

namespace NeuroAlign.Formats.Bids;

/// <summary>
/// A BIDS events file (<c>*_events.tsv</c>, BIDS §Task events): one row per event with its
/// <c>onset</c> and <c>duration</c> in seconds from the first volume's onset, an optional
/// <c>trial_type</c>, and any other columns. "n/a" marks a missing value. Read by the one
/// <see cref="TableReader"/>: tab-separated, quoted cells allowed, no comment lines (BIDS has none).
/// </summary>
public sealed class BidsEvents
{
    /// <summary>BIDS §Tabular files: the marker of a missing value.</summary>
    public const string MissingValue = TableReader.MissingValue;

    private readonly Table _table;

    private BidsEvents(Table table, double[] onsets, double[] durations)
    {
        _table = table;
        OnsetsSeconds = onsets;
        DurationsSeconds = durations;
    }

    /// <summary>The file read.</summary>
    public string SourcePath => _table.SourcePath;

    /// <summary>Column names, as in the header line.</summary>
    public IReadOnlyList<string> Columns => _table.Columns;

    /// <summary>Number of events (rows).</summary>
    public int Count => _table.RowCount;

    /// <summary>Each event's onset, seconds from the first volume's onset (may be negative).</summary>
    public IReadOnlyList<double> OnsetsSeconds { get; }

    /// <summary>Each event's duration, seconds; NaN where the file says n/a.</summary>
    public IReadOnlyList<double> DurationsSeconds { get; }

    /// <summary>The trial_type of each event (null for n/a), or null when the file has no such column.</summary>
    public IReadOnlyList<string?>? TrialTypes => HasColumn("trial_type") ? GetColumn("trial_type") : null;

    /// <summary>Whether the file has a column called <paramref name="name"/>.</summary>
    public bool HasColumn(string name) => _table.TryIndexOf(name) >= 0;

    /// <summary>The values of a column as written (null for n/a).</summary>
    public IReadOnlyList<string?> GetColumn(string name) => _table.TextColumn(IndexOf(name));

    /// <summary>A column as numbers (NaN for n/a).</summary>
    /// <exception cref="InvalidRecordingException">A value that is not a number.</exception>
    public double[] GetNumericColumn(string name) => _table.NumberColumn(IndexOf(name), "a number of seconds or n/a");

    /// <summary>Reads and validates <paramref name="path"/>.</summary>
    /// <exception cref="InvalidRecordingException">No onset or duration column, a row of the wrong width, an onset that is not a number (n/a included: an event must have an onset).</exception>
    public static BidsEvents Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Table table = TableReader.Read(path, new TableOptions { Separator = '\t', Comments = false });
        foreach (string required in new[] { "onset", "duration" })
        {
            if (table.TryIndexOf(required) < 0)
            {
                throw new InvalidRecordingException(path, "line 1 (header)", $"columns {string.Join(", ", table.Columns)}", $"an '{required}' column (BIDS §Task events)");
            }
        }

        int onsetColumn = table.TryIndexOf("onset"), durationColumn = table.TryIndexOf("duration");
        var onsets = new double[table.RowCount];
        var durations = new double[table.RowCount];
        for (int r = 0; r < table.RowCount; r++)
        {
            onsets[r] = table.Number(r, onsetColumn, "a number of seconds");
            if (!double.IsFinite(onsets[r]))
            {
                throw table.CellError(r, onsetColumn, "a number of seconds");
            }

            durations[r] = table.Number(r, durationColumn, "a number of seconds or n/a");
            if (!table.IsMissing(r, durationColumn) && !(durations[r] >= 0 && double.IsFinite(durations[r])))
            {
                throw table.CellError(r, durationColumn, "zero or more seconds, or n/a");
            }
        }

        return new BidsEvents(table, onsets, durations);
    }

    private int IndexOf(string name) =>
        _table.TryIndexOf(name) is int c and >= 0
            ? c
            : throw new NeuroAlignException($"{SourcePath}: no column '{name}' (columns: {string.Join(", ", Columns)})");
}
