using System.Globalization;
using NeuroAlign.Tables;

namespace NeuroAlign.Alignment;

/// <summary>
/// Where windows come from: a list typed on the command line, a column of an events file, or a
/// regular grid over the interval every stream covers. Times are reference-clock seconds.
/// </summary>
public static class WindowTimes
{
    /// <summary>"1.5,2,10.25" → [1.5, 2, 10.25].</summary>
    public static double[] ParseList(string text, string optionName = "times")
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Split(',', StringSplitOptions.TrimEntries)
            .Select(part => double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out double t) && double.IsFinite(t)
                ? t
                : throw new Sessions.SettingException(optionName, $"'{part}' is not a finite number of seconds (in '{text}')"))
            .ToArray();
    }

    /// <summary>The most windows a regular grid may have: its times are one array.</summary>
    public const long MaxGridWindows = 100_000_000;

    /// <summary>
    /// How many windows <see cref="Grid"/> would make, computed without making them (a double: a
    /// step of 1e-300 s gives 1e300 windows, which no integer holds), so that a plan can be refused
    /// by its size before the list of times is allocated.
    /// </summary>
    public static double GridCount(double coveredStartSeconds, double coveredEndSeconds, double stepSeconds, double beforeSeconds, double afterSeconds)
    {
        if (!(stepSeconds > 0) || !double.IsFinite(stepSeconds))
        {
            throw new Sessions.SettingException("every", $"{stepSeconds} is not a positive number of seconds");
        }

        double first = coveredStartSeconds + beforeSeconds;
        double last = coveredEndSeconds - afterSeconds;
        if (last < first)
        {
            throw new NeuroAlignException(
                $"option {Sessions.Setting.Display("every")}: the streams overlap only from {coveredStartSeconds:G6} s to {coveredEndSeconds:G6} s, too short for a window of {beforeSeconds + afterSeconds:G6} s");
        }

        double count = Math.Floor(((last - first) / stepSeconds) + 1e-9) + 1;
        return double.IsFinite(count) ? count : double.MaxValue;
    }

    /// <summary>
    /// A regular grid t0, t0 + step, … over [start + before, end - after]: every window lies inside
    /// [start, end), the interval all streams cover (Experanto-style chunks).
    /// </summary>
    public static double[] Grid(double coveredStartSeconds, double coveredEndSeconds, double stepSeconds, double beforeSeconds, double afterSeconds)
    {
        double windows = GridCount(coveredStartSeconds, coveredEndSeconds, stepSeconds, beforeSeconds, afterSeconds);
        if (windows > MaxGridWindows)
        {
            throw new Sessions.SettingException("every", $"{stepSeconds:G6}", $"{windows:G6} windows is too many (the most is {MaxGridWindows:G}); choose a longer step");
        }

        long count = (long)windows;
        double first = coveredStartSeconds + beforeSeconds;
        var times = new double[count];
        for (long i = 0; i < count; i++)
        {
            times[i] = first + (i * stepSeconds);
        }

        return times;
    }

    /// <summary>
    /// Event times from a text file: a BIDS events.tsv (column `onset` by default), a CSV with a
    /// header (a column named like a time, else the first), or one number per line, read by
    /// <see cref="TimeColumns"/>. <paramref name="rowFilters"/> keep rows whose column equals a
    /// value (e.g. trial_type=go). Rows whose time is "n/a" are left out, as BIDS allows, and
    /// <paramref name="warnings"/> gets one line saying which (issue 17).
    /// </summary>
    public static double[] FromTextFile(
        string path, string? column = null, IReadOnlyList<(string Column, string Value)>? rowFilters = null, ICollection<string>? warnings = null) =>
        FromEventsFile(path, column, rowFilters, warnings: warnings).Seconds;

    /// <summary>
    /// As <see cref="FromTextFile"/>, with the cells of <paramref name="labelColumns"/> (or, with
    /// <paramref name="allOtherColumns"/>, of every column but the time column) for each time kept:
    /// the trial labels written as /windows/&lt;column&gt;.
    /// </summary>
    public static TimeColumnValues FromEventsFile(
        string path,
        string? column = null,
        IReadOnlyList<(string Column, string Value)>? rowFilters = null,
        IReadOnlyList<string>? labelColumns = null,
        bool allOtherColumns = false,
        ICollection<string>? warnings = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        TimeColumnValues read = TimeColumns.Read(path, new TimeColumnRequest
        {
            Column = column,
            RowFilters = rowFilters ?? [],
            Missing = MissingTimes.SkipWithWarning,
            What = "event time",
            LabelColumns = labelColumns,
            AllOtherColumnsAsLabels = allOtherColumns,
        });
        foreach (string warning in read.Warnings)
        {
            warnings?.Add(warning);
        }

        if (read.Seconds.Length == 0)
        {
            throw new InvalidRecordingException(path, "rows", "no row passing the filters with a time", "at least one event time");
        }

        return read;
    }

    /// <summary>Parses "trial_type=go" into a row filter.</summary>
    public static (string Column, string Value) ParseRowFilter(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        return eq > 0
            ? (text[..eq].Trim(), text[(eq + 1)..].Trim())
            : throw new Sessions.SettingException("event-filter", $"'{text}' is not COLUMN=VALUE (e.g. trial_type=go)");
    }
}
