using System.Globalization;
using System.Text.RegularExpressions;
using NeuroAlign.Alignment;
using NeuroAlign.Sync;
using NeuroAlign.Time;

namespace NeuroAlign.Sessions;

/// <summary>
/// Windows at the edges of a line of a loaded stream: <c>STREAM:LINE[:EDGE][:width=W±T]</c> for a
/// digital line, <c>STREAM:CHANNEL&gt;LEVEL[~BAND][:EDGE][:width=W±T]</c> for an analog channel read
/// by a threshold with hysteresis.
/// </summary>
/// <param name="Text">As given.</param>
/// <param name="Stream">The stream recording the line.</param>
/// <param name="Line">The digital line, numbered as <c>info</c> lists it; -1 for an analog threshold.</param>
/// <param name="Edges">The edges that are window times; null: both kinds.</param>
/// <param name="Threshold">The analog channel and its levels; null for a digital line.</param>
/// <param name="Width">Only pulses of this width; null: every pulse.</param>
public sealed partial record LineEdges(string Text, string Stream, int Line, EdgeKind? Edges, ThresholdSpec? Threshold = null, PulseWidthRule? Width = null)
{
    /// <summary>Default hysteresis band: this fraction of the level's magnitude.</summary>
    public const double DefaultBandFraction = 0.1;

    /// <summary>Default width tolerance: this fraction of the width.</summary>
    public const double DefaultWidthTolerance = 0.1;

    private const string Key = "events-from";

    /// <summary>The longest width or tolerance taken, seconds (a year).</summary>
    private const double MaxSeconds = 3.2e7;

    /// <summary>The largest level or band taken, volts: far beyond any analog input, small enough that microvolts stay finite.</summary>
    private const double MaxVolts = 1e6;

    private const string Expected = "expected STREAM:LINE[:EDGE][:width=W±T] or STREAM:CHANNEL>LEVEL[~BAND][:EDGE][:width=W±T], e.g. ephys:6, ephys_1:2:falling, ephys_1:XA0>2.5V, ephys_1:6:width=500ms±20ms";

    public static LineEdges Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split(':');
        if (parts.Length < 2 || parts.Length > 4 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            throw Fail(text, Expected);
        }

        int line = -1;
        ThresholdSpec? threshold = null;
        if (IsThreshold(parts[1]))
        {
            threshold = ParseThreshold(text, parts[1]);
        }
        else if (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out line))
        {
            throw Fail(text, $"line '{parts[1]}' is not a line number (`neuro-align info` lists a recording's lines) nor CHANNEL>LEVEL (an analog channel by threshold, e.g. XA0>2.5V)");
        }

        EdgeKind? edges = EdgeKind.Rising;
        bool edgeGiven = false;
        PulseWidthRule? width = null;
        foreach (string part in parts.Skip(2))
        {
            if (part.StartsWith("width=", StringComparison.Ordinal) && width is null)
            {
                width = ParseWidth(text, part["width=".Length..]);
                continue;
            }

            if (edgeGiven || part.StartsWith("width=", StringComparison.Ordinal))
            {
                throw Fail(text, $"'{part}' repeats a field: {Expected}");
            }

            edgeGiven = true;
            edges = part switch
            {
                "rising" => EdgeKind.Rising,
                "falling" => EdgeKind.Falling,
                "both" => null,
                _ => throw Fail(text, $"unknown edge '{part}': expected rising, falling or both (or width=W±T, e.g. width=500ms±20ms)"),
            };
        }

        return new LineEdges(text, parts[0], line, edges, threshold, width);
    }

    public override string ToString() => Text;

    /// <summary>The one-line error for <paramref name="text"/>: what the user typed is shown escaped (it may hold any character).</summary>
    private static SettingException Fail(string text, string detail) => new(Key, Printable.Escape(text), Printable.Escape(detail));

    /// <summary>Whether a setting's text is an analog threshold, CHANNEL&gt;LEVEL[~BAND].</summary>
    internal static bool IsThreshold(string part) => part.Contains('>', StringComparison.Ordinal);

    /// <summary>An analog threshold given to <paramref name="key"/> (events-from, sync-line): one parser for both.</summary>
    internal static ThresholdSpec ParseThreshold(string key, string text, string part)
    {
        try
        {
            return ParseThreshold(text, part);
        }
        catch (SettingException e) when (key != Key)
        {
            throw new SettingException(key, Printable.Escape(text), e.Detail);
        }
    }

    private static ThresholdSpec ParseThreshold(string text, string part)
    {
        Match m = ThresholdPattern().Match(part);
        if (!m.Success)
        {
            throw Fail(text, $"'{part}' is not CHANNEL>LEVEL[~BAND] with a voltage unit, e.g. XA0>2.5V or XA0>2.5V~0.2V (units uV, mV, V)");
        }

        double level = Voltage(text, m.Groups[2].Value, m.Groups[3].Value);
        double band = m.Groups[4].Success ? Voltage(text, m.Groups[4].Value, m.Groups[5].Value) : DefaultBandFraction * Math.Abs(level);
        if (band < 0)
        {
            throw Fail(text, $"the band '~{m.Groups[4].Value}{m.Groups[5].Value}' is negative: expected how far below the level the signal must fall to re-arm");
        }

        if (band == 0 && !m.Groups[4].Success)
        {
            throw Fail(text, $"a level of 0 has no default band (10 % of the level): give one, e.g. {m.Groups[1].Value}>0V~0.1V");
        }

        return new ThresholdSpec(m.Groups[1].Value, level, band);
    }

    private static double Voltage(string text, string number, string unit)
    {
        double value = double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)
            ? v
            : throw Fail(text, $"'{number}' is not a number");
        double volts = value * unit switch { "uV" or "µV" => 1e-6, "mV" => 1e-3, _ => 1.0 };
        return Math.Abs(volts) <= MaxVolts
            ? volts
            : throw Fail(text, $"'{number}{unit}' is beyond ±{MaxVolts:G} V: no recording system digitises that");
    }

    private static PulseWidthRule ParseWidth(string text, string value)
    {
        Match m = WidthPattern().Match(value);
        if (!m.Success)
        {
            throw Fail(text, $"width '{value}' is not W[±T] with units s or ms, e.g. width=500ms±20ms (or +- for ±; T defaults to 10 % of W)");
        }

        double width = Seconds(text, m.Groups[1].Value, m.Groups[2].Value);
        double tolerance = m.Groups[3].Success ? Seconds(text, m.Groups[3].Value, m.Groups[4].Value) : DefaultWidthTolerance * width;
        return width > 0
            ? new PulseWidthRule(width, tolerance)
            : throw Fail(text, $"width '{value}': expected a positive width");
    }

    private static double Seconds(string text, string number, string unit)
    {
        double value = double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) && v >= 0
            ? v
            : throw Fail(text, $"'{number}' is not a non-negative number");
        double seconds = unit == "ms" ? value * 1e-3 : value;
        return seconds <= MaxSeconds
            ? seconds
            : throw Fail(text, $"'{number}{unit}' is beyond {MaxSeconds:G} s: no pulse is that long");
    }

    [GeneratedRegex(@"^([^>~]+)>([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)(uV|µV|mV|V)(?:~([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)(uV|µV|mV|V))?$")]
    private static partial Regex ThresholdPattern();

    [GeneratedRegex(@"^([0-9.]+(?:[eE][-+]?[0-9]+)?)(ms|s)(?:(?:±|\+-)([0-9.]+(?:[eE][-+]?[0-9]+)?)(ms|s))?$")]
    private static partial Regex WidthPattern();
}

/// <summary>An analog channel read as a line: high from where it reaches <paramref name="LevelVolts"/>, low again below LevelVolts − BandVolts.</summary>
/// <param name="Channel">The channel's name (XA0, ADC1) or id.</param>
/// <param name="LevelVolts">The level, volts.</param>
/// <param name="BandVolts">The hysteresis band, volts (≥ 0).</param>
public sealed record ThresholdSpec(string Channel, double LevelVolts, double BandVolts)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Channel} > {LevelVolts:G6} V (re-armed below {LevelVolts - BandVolts:G6} V)");
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
        "events-from", "STREAM:LINE[:EDGE][:width=W±T]", "windows at the edges of a digital line of an ephys stream, numbered as `info` lists them, e.g. ephys:6 or ephys_1:2:falling; EDGE is rising (default), falling or both; or of an analog channel by threshold with hysteresis, STREAM:CHANNEL>LEVEL[~BAND] (e.g. ephys_1:XA0>2.5V; band 10 % of the level unless given); width=W±T keeps only pulses that wide (e.g. width=500ms±20ms; T 10 % of W unless given)", LineEdges.Parse);

    public static readonly Setting<double> EventMinWidth = Setting.Number("event-min-width", "SECONDS", "events-from: drop pulses (high or low) shorter than this first (before a width rule)", minimum: 0, defaultText: "keep every edge");

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
