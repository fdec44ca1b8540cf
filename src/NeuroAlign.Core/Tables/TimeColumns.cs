using System.Globalization;

namespace NeuroAlign.Tables;

/// <summary>What to do with a row whose time is n/a.</summary>
public enum MissingTimes
{
    /// <summary>An error naming the line: a pulse or frame without a time cannot be placed.</summary>
    Refuse,

    /// <summary>Leave the row out and say so in a warning (BIDS events may have an n/a onset; issue 17).</summary>
    SkipWithWarning,
}

/// <summary>Which column of a table holds times, and what to keep (<see cref="TimeColumns.Read"/>).</summary>
public sealed record TimeColumnRequest
{
    /// <summary>The column to read; null chooses one: a name in <see cref="TimeColumns.Names"/>, else the only column (else the first, with <see cref="FirstColumnByDefault"/>).</summary>
    public string? Column { get; init; }

    /// <summary>Keep only rows whose column equals the value (trial_type=go); needs a header.</summary>
    public IReadOnlyList<(string Column, string Value)> RowFilters { get; init; } = [];

    /// <summary>With no time-named column, read the first (events, pulses) rather than refuse (frame times).</summary>
    public bool FirstColumnByDefault { get; init; } = true;

    /// <summary>What an n/a time does.</summary>
    public MissingTimes Missing { get; init; } = MissingTimes.Refuse;

    /// <summary>What a row is, in messages about a file with no header: "event time", "pulse time", "frame time".</summary>
    public string What { get; init; } = "time";

    /// <summary>Columns whose cells to keep for each row kept (trial labels); null keeps none.</summary>
    public IReadOnlyList<string>? LabelColumns { get; init; }

    /// <summary>Keep the cells of every column but the time column (when <see cref="LabelColumns"/> is null).</summary>
    public bool AllOtherColumnsAsLabels { get; init; }
}

/// <summary>Times read from a column (<see cref="TimeColumns.Read"/>).</summary>
/// <param name="Seconds">The times, in file order.</param>
/// <param name="Column">The column read ("1" for a headerless list).</param>
/// <param name="Warnings">What was done that the user should know: rows skipped for an n/a time.</param>
public sealed record TimeColumnValues(double[] Seconds, string Column, IReadOnlyList<string> Warnings)
{
    /// <summary>The label columns asked for, one value per time, in the order of the file's columns.</summary>
    public IReadOnlyList<Alignment.WindowLabel> Labels { get; init; } = [];

    /// <summary>
    /// How finely the times were sampled, when they are edges of a sampled line (an NWB TTL series:
    /// the longest interval before an edge); null for a list of times, which states no sampling.
    /// </summary>
    public double? ResolutionSeconds { get; init; }
}

/// <summary>
/// The one reader of times kept in text tables — event onsets, pulse times, frame times: one
/// number per line, or a CSV/TSV with a header whose time column is named or recognised.
/// </summary>
public static class TimeColumns
{
    /// <summary>Header names recognised as the time column, in order of preference (case-insensitive).</summary>
    public static readonly IReadOnlyList<string> Names =
        ["onset", "time", "times", "timestamp", "timestamps", "seconds", "time_s", "timestamp_s", "frame_time", "frame_times", "t"];

    /// <summary>The index of the first column named like a time, in order of preference, or -1.</summary>
    public static int Find(IReadOnlyList<string> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        foreach (string name in Names)
        {
            for (int c = 0; c < columns.Count; c++)
            {
                if (string.Equals(columns[c], name, StringComparison.OrdinalIgnoreCase))
                {
                    return c;
                }
            }
        }

        return -1;
    }

    /// <summary>Reads finite times from <paramref name="path"/> (file order; any ordering check is the caller's).</summary>
    /// <exception cref="InvalidRecordingException">No such column, a cell that is not a finite number, a ragged row, no header where one is needed.</exception>
    public static TimeColumnValues Read(string path, TimeColumnRequest request)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(request);
        if (Formats.Containers.ContainerSources.Find<ITimesOpener>(path, "times (a table of intervals or events)") is { } container)
        {
            // A table object of a container file (session.nwb#intervals/trials): the same request, read from the file.
            return container.ReadTimes(path, request);
        }

        using TableCursor rows = TableReader.Open(path, new TableOptions { Header = TableHeader.Detect });
        int column = ChooseColumn(rows, request);
        if (column >= rows.Columns.Count)
        {
            // An empty file (or one of blank lines) has no columns at all.
            throw new InvalidRecordingException(path, "line 1", "no columns (the file is empty)", $"a table of {request.What}s, or one per line");
        }

        var filters = request.RowFilters.Select(f => (Index: rows.IndexOf(f.Column), f.Value)).ToArray();
        string label = rows.HasHeader ? $"{column + 1} ({rows.Columns[column]})" : (column + 1).ToString(CultureInfo.InvariantCulture);
        int[] labelColumns = LabelColumnsOf(rows, column, request);
        var cells = labelColumns.Select(_ => new List<string?>()).ToArray();
        var times = new List<double>();
        var skippedLines = new List<int>();
        while (rows.MoveNext())
        {
            if (!Keeps(rows, filters))
            {
                continue;
            }

            if (rows.TryNumber(column, out double t) && double.IsFinite(t))
            {
                times.Add(t);
                for (int l = 0; l < labelColumns.Length; l++)
                {
                    cells[l].Add(rows.IsMissing(labelColumns[l]) ? null : rows.Text(labelColumns[l]));
                }

                continue;
            }

            if (request.Missing == MissingTimes.SkipWithWarning && rows.IsMissing(column))
            {
                skippedLines.Add(rows.LineNumber);
                continue;
            }

            throw new InvalidRecordingException(path, $"line {rows.LineNumber}, column {label}", $"'{rows.Span(column)}'", "a finite number of seconds");
        }

        var warnings = new List<string>();
        if (skippedLines.Count > 0)
        {
            warnings.Add(
                $"{path}: {skippedLines.Count} row(s) with {Printable.Escape(rows.Columns[column])} n/a left out (line(s) {IntegerRanges.Format(skippedLines)}): they have no time to place a window at; {times.Count} kept");
        }

        return new TimeColumnValues([.. times], rows.Columns[column], warnings)
        {
            Labels = labelColumns.Select((c, l) => Alignment.WindowLabel.FromCells(rows.Columns[c], cells[l])).ToArray(),
        };
    }

    /// <summary>The columns whose cells become labels: those named (each must exist), or every other column of a table with a header.</summary>
    private static int[] LabelColumnsOf(TableCursor rows, int timeColumn, TimeColumnRequest request)
    {
        if (request.LabelColumns is { } named)
        {
            if (named.Count > 0 && !rows.HasHeader)
            {
                throw new InvalidRecordingException(rows.SourcePath, "line 1", "no header row", "a header naming the columns, since label columns were given");
            }

            return [.. named.Select(rows.IndexOf)];
        }

        return request.AllOtherColumnsAsLabels && rows.HasHeader
            ? [.. Enumerable.Range(0, rows.Columns.Count).Where(c => c != timeColumn)]
            : [];
    }

    private static int ChooseColumn(TableCursor rows, TimeColumnRequest request)
    {
        string path = rows.SourcePath;
        if (!rows.HasHeader)
        {
            if (request.Column != null || request.RowFilters.Count > 0)
            {
                throw new InvalidRecordingException(path, "line 1", "no header row", "a header naming the columns, since a column or row filter was given");
            }

            if (rows.Columns.Count > 1)
            {
                throw new InvalidRecordingException(
                    path, "line 1", $"{rows.Columns.Count} numbers and no header row", $"one {request.What} per line, or a header naming the columns");
            }

            return 0;
        }

        if (request.Column != null)
        {
            return rows.IndexOf(request.Column);
        }

        int named = Find(rows.Columns);
        if (named >= 0)
        {
            return named;
        }

        if (rows.Columns.Count == 1 || request.FirstColumnByDefault)
        {
            return 0;
        }

        throw new InvalidRecordingException(
            path, $"line {rows.HeaderLineNumber} (header)", $"columns {string.Join(", ", rows.Columns)}", $"a column named one of {string.Join(", ", Names)}");
    }

    private static bool Keeps(TableCursor rows, (int Index, string Value)[] filters)
    {
        foreach (var (index, value) in filters)
        {
            if (!rows.Span(index).SequenceEqual(value))
            {
                return false;
            }
        }

        return true;
    }
}
