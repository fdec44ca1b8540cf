using NeuroAlign.Filtering;
using NeuroAlign.Formats.Containers;
using NeuroAlign.Formats.TimedTable;
using NeuroAlign.Sessions;
using NeuroAlign.Streams;

namespace NeuroAlign.Modalities.Table;

/// <summary>The settings of timestamped tables.</summary>
public static class TableSettings
{
    public static readonly Setting<string> TimeColumn = Setting.Text(
        "table-time-column", "NAME", "the column of times (a .npy's columns are named 0, 1, …); per table: NAME=COLUMN",
        "a column named time, timestamp, t (or another time name); column 0 of a .npy", SettingScope.PerStream);

    public static readonly Setting<string> Clock = Setting.Text(
        "table-clock", "STREAM", "the times count on this stream's own clock (a camera's, a probe's), so the table follows its sync; per table: NAME=STREAM",
        "the reference clock", SettingScope.PerStream);

    public static IReadOnlyList<Setting> All { get; } = [TimeColumn, Clock];
}

/// <summary>
/// Timestamped tables (wheel position, lick sensor, pupil diameter): CSV, TSV or .npy with a time
/// column and numeric columns. Rows are irregular in time: the time column is the clock. Times are
/// on the reference clock, or on a named stream's own clock, whose map (sync included) they then take.
/// </summary>
public sealed class TableModality : IModality
{
    public string Name => "table";

    public ModalityKind Kind => ModalityKind.Table;

    /// <summary>Filter rules (<c>table:</c> or the stream's name) read signal (each column's value), t, and each numeric column by its name.</summary>
    public FilterScope FilterScope { get; } = new(
        "table",
        [FilterVariable.Signal(FilterQuantity.None, "each column's value"), FilterVariable.Time],
        fileColumns: "the table's numeric columns, by the names in its header (a .npy's: none)");

    /// <summary>The scope with the table's columns as variables (<c>wheel: position &gt; 0.3</c>).</summary>
    public FilterScope FilterScopeOf(ISampleStream stream) =>
        stream is ITableStream table ? FilterScope.WithColumns(table.Columns, "the column's value in the row") : FilterScope;

    public string PathHelp => "timestamped table: CSV/TSV with a header (a time column and numeric columns) or a 2-D .npy";

    /// <summary>Last: a table timed on another stream's clock needs that stream opened first.</summary>
    public int ReferencePriority => 4;

    public PerSampleSync? PerSampleSync => null;

    public IReadOnlyList<Setting> Settings => TableSettings.All;

    /// <summary>Tables are claimed by <c>info</c> by extension: CSV and TSV (plain or gzipped); a .npy is ephys's unless given with --table.</summary>
    public bool Claims(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new[] { ".csv", ".tsv", ".csv.gz", ".tsv.gz" }.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));
    }

    public void CheckSettings(SettingValues settings, IReadOnlyList<StreamRequest> streams)
    {
    }

    public OpenedStream Open(StreamRequest request, SettingValues settings, ISessionLog log, IReadOnlyList<SessionStream> opened)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(opened);
        if (ContainerSources.Find<ITableOpener>(request.Path, "a table (a series of numbers)") is { } container)
        {
            return OpenContainer(container, request, settings, opened);
        }

        string? clockOf = null;
        if (settings.PerStream(TableSettings.Clock).TryGet(request.Name, Name, out string? named))
        {
            clockOf = opened.FirstOrDefault(s => s.Name == named)?.Name
                ?? throw new SettingException(TableSettings.Clock, $"{request.Name}={named}: no stream '{named}' is loaded before it (loaded: {(opened.Count == 0 ? "none" : string.Join(", ", opened.Select(s => s.Name)))})");
        }

        var options = new TimedTableOptions(settings.PerStream(TableSettings.TimeColumn).TryGet(request.Name, Name, out string? column) ? column : null, log.Warn);
        return new OpenedStream(TimedTableStream.Open(request.Path, options), [])
        {
            ClockOf = clockOf,
            TimesOnReferenceClock = clockOf is null,
        };
    }

    /// <summary>
    /// A series of a container file (NWB): its times count the file's own seconds, so, as for its
    /// ephys and units, the first stream of that file places the others, and leading the session
    /// its zero is time zero. The time column and clock settings apply to CSV/TSV/.npy tables.
    /// </summary>
    private OpenedStream OpenContainer(ITableOpener container, StreamRequest request, SettingValues settings, IReadOnlyList<SessionStream> opened)
    {
        foreach (Setting<string> setting in new[] { TableSettings.TimeColumn, TableSettings.Clock })
        {
            if (settings.PerStream(setting).TryGet(request.Name, Name, out _))
            {
                throw new SettingException(setting, $"{request.Name} ({request.Path}): a series of a container file is timed by its own timestamps or rate, in the file's seconds; place the file with an offset or shared pulses instead");
            }
        }

        return ContainerSources.OnFileClock(container.Format, request.Path, new OpenedStream(container.OpenTable(request.Path), []), opened);
    }

    /// <summary>The columns' names, the time column, and which clock the times are on.</summary>
    public void DescribeOutput(SessionStream stream, bool isReference, StreamOutputDescription output)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(output);
        if (stream.Stream is not ITableStream table)
        {
            return;
        }

        output.Datasets["columns"] = table.Columns.ToArray();
        output.Attributes["time_column"] = table.TimeColumn;
        output.Attributes["rows"] = table.Clock.SampleCount;
        output.Attributes["axes"] = "window, point, column (the columns dataset names them)";
        output.Attributes["clock_assumption"] = stream.Opened.AcquisitionClock is not null
            ? stream.Opened.ClockOf is { } file
                ? $"the series' times are the container file's seconds, placed as {file} of the same file is"
                : "the series' times are the container file's seconds"
            : stream.Opened.ClockOf is { } source
                ? $"the table's times count on {source}'s own clock"
                : "the table's times are reference-clock seconds, as given";
        foreach (var (key, value) in table.OutputAttributes)
        {
            output.Attributes[key] = value;
        }
    }
}
