using System.Globalization;
using System.Text.RegularExpressions;
using NeuroAlign.Alignment;
using NeuroAlign.Sync;
using NeuroAlign.Time;

namespace NeuroAlign.Sessions;

/// <summary>Windows at the edges of a digital line of a loaded stream: <c>STREAM:LINE[:EDGE]</c>.</summary>
/// <param name="Text">As given.</param>
/// <param name="Stream">The stream recording the line.</param>
/// <param name="Line">The line, numbered as <c>info</c> lists it.</param>
/// <param name="Edges">The edges that are window times; null: both kinds.</param>
public sealed partial record LineEdges(string Text, string Stream, int Line, EdgeKind? Edges)
{
    public static LineEdges Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const string key = "events-from";
        Match m = StreamLineEdge().Match(text);
        if (!m.Success)
        {
            throw new SettingException(key, text, "expected STREAM:LINE or STREAM:LINE:EDGE, e.g. ephys:6 or ephys_1:2:falling");
        }

        if (!int.TryParse(m.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int line))
        {
            throw new SettingException(key, text, $"line '{m.Groups[2].Value}' is not a line number (`neuro-align info` lists a recording's lines)");
        }

        EdgeKind? edges = m.Groups[3].Success ? m.Groups[3].Value switch
        {
            "rising" => EdgeKind.Rising,
            "falling" => EdgeKind.Falling,
            "both" => null,
            string other => throw new SettingException(key, text, $"unknown edge '{other}': expected rising, falling or both"),
        }
        : EdgeKind.Rising;
        return new LineEdges(text, m.Groups[1].Value, line, edges);
    }

    public override string ToString() => Text;

    [GeneratedRegex(@"^([^:]+):([^:]+)(?::([^:]*))?$")]
    private static partial Regex StreamLineEdge();
}

/// <summary>A row filter of an events file: keep rows whose column equals a value.</summary>
/// <param name="Column">The column.</param>
/// <param name="Value">The value.</param>
public sealed record RowFilter(string Column, string Value)
{
    public static RowFilter Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        return eq > 0
            ? new RowFilter(text[..eq].Trim(), text[(eq + 1)..].Trim())
            : throw new SettingException("event-filter", $"'{text}' is not COLUMN=VALUE (e.g. trial_type=go)");
    }
}

/// <summary>The settings of an export: where windows fall, their extent, how streams are sampled, what is written.</summary>
public static class ExportSettings
{
    public const string DefaultOutput = "neuro_sync_output.h5";

    public static readonly Setting<double> Time = Setting.Number("time", "SECONDS", "one window at this time on the reference clock (seconds after the reference recording starts)");

    public static readonly Setting<double[]> Times = Setting.Of("times", "T1,T2,...", "windows at these times", ParseTimes);

    public static readonly Setting<string> Events = Setting.Text("events", "FILE", "windows at event times: BIDS events.tsv (onset column), CSV with a header, or one time per line");

    public static readonly Setting<string> EventColumn = Setting.Text("event-column", "NAME", "events: the column holding the times", "onset, else the first");

    public static readonly Setting<RowFilter> EventFilter = Setting.Of("event-filter", "COL=VALUE", "events: keep rows whose column equals the value, e.g. trial_type=go (repeatable)", RowFilter.Parse, repeatable: true);

    public static readonly Setting<string[]> EventColumns = Setting.Of(
        "event-columns", "COL,...", "events: the columns written as per-window labels /windows/<column> (numbers as float64, text as strings)", ParseColumns, "every column but the time column");

    public static readonly Setting<LineEdges> EventsFrom = Setting.Of(
        "events-from", "STREAM:LINE[:EDGE]", "windows at the edges of a digital line of an ephys stream, numbered as `info` lists them, e.g. ephys:6 or ephys_1:2:falling; EDGE is rising (default), falling or both", LineEdges.Parse);

    public static readonly Setting<double> EventMinWidth = Setting.Number("event-min-width", "SECONDS", "events-from: drop pulses (high or low) shorter than this first", minimum: 0, defaultText: "keep every edge");

    public static readonly Setting<double> Every = Setting.Number("every", "SECONDS", "windows on a regular grid over the interval every stream covers", minimum: 0, exclusiveMinimum: true);

    public static readonly Setting<double> Before = Setting.Number("before", "SECONDS", "window starts this long before its time", minimum: 0, defaultText: "0");

    public static readonly Setting<double> After = Setting.Number("after", "SECONDS", "window ends this long after its time", minimum: 0, defaultText: "1");

    public static readonly Setting<double> Rate = Setting.Of(
        "rate", "M=HZ,...", "output rate per stream or modality, e.g. ephys=1000,video=30 (downsampled ephys is low-pass filtered first; for spikes the bins per second, 1000 by default)",
        text => text == "native" ? 0
            : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double hz) && hz > 0 && double.IsFinite(hz) ? hz
            : throw new SettingException("rate", $"'{text}' is not a positive rate in Hz or 'native'"),
        "native",
        SettingScope.PerStream);

    public static readonly Setting<IndexMode> Mode = Setting.Of(
        "mode", "MODE", "how grid times pick samples: previous, nearest or linear; or per stream: ephys=linear,video=previous",
        text => Setting.Naming("mode", () => IndexModes.Parse(text)), "previous", SettingScope.PerStream);

    public static readonly Setting<bool> DropIncomplete = Setting.Switch("drop-incomplete", "leave out windows that reach outside any recording");

    public static readonly Setting<string> Filter = Setting.Text("filter", "RULE", "keep-or-drop rule, e.g. \"signal > 0.8\" (repeatable, combined with AND)", repeatable: true);

    public static readonly Setting<string> Out = Setting.Text("out", "PATH", "output HDF5 file", DefaultOutput);

    public static readonly Setting<bool> Overwrite = Setting.Switch(
        "overwrite", "replace an existing output file that is not a NeuroAlign output (a previous output is replaced without it; an input never is)");

    public static readonly Setting<double> MaxOutputGb = Setting.Number(
        "max-output-gb", "GB", "refuse a plan whose aligned data (before compression) would exceed this many gigabytes", minimum: 0, exclusiveMinimum: true, defaultText: "1000");

    public static readonly Setting<ShardSpec> Shard = Setting.Of(
        "shard", "I/N", "write only shard I of N (0-based, as SLURM_ARRAY_TASK_ID): a contiguous part of the windows, joined later by `neuro-align merge`",
        text => Setting.Naming("shard", () => ShardSpec.Parse(text)));

    /// <summary>The settings that give window times: exactly one per export.</summary>
    public static IReadOnlyList<Setting> WindowSources { get; } = [Time, Times, Events, EventsFrom, Every];

    public static IReadOnlyList<Setting> All { get; } =
        [Time, Times, Events, EventColumn, EventColumns, EventFilter, EventsFrom, EventMinWidth, Every, Before, After, Rate, Mode, DropIncomplete, Filter, Out, Overwrite, MaxOutputGb, Shard];

    private static string[] ParseColumns(string text)
    {
        string[] names = text.Split(',', StringSplitOptions.TrimEntries);
        return names.Any(n => n.Length == 0)
            ? throw new SettingException("event-columns", $"'{text}' has an empty column name; expected names separated by commas, e.g. trial_type,response_time")
            : names;
    }

    private static double[] ParseTimes(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries)
            .Select(part => double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double t) && double.IsFinite(t)
                ? t
                : throw new SettingException("times", $"'{part}' is not a finite number of seconds (in '{text}')"))
            .ToArray();
}
