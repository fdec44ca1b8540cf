using System.Globalization;

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

    /// <summary>
    /// A regular grid t0, t0 + step, … over [start + before, end - after]: every window lies inside
    /// [start, end), the interval all streams cover (Experanto-style chunks).
    /// </summary>
    public static double[] Grid(double coveredStartSeconds, double coveredEndSeconds, double stepSeconds, double beforeSeconds, double afterSeconds)
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

        long count = (long)Math.Floor(((last - first) / stepSeconds) + 1e-9) + 1;
        if (count > 100_000_000)
        {
            throw new Sessions.SettingException("every", $"{stepSeconds:G6}", $"{count} windows is too many; choose a longer step");
        }

        var times = new double[count];
        for (long i = 0; i < count; i++)
        {
            times[i] = first + (i * stepSeconds);
        }

        return times;
    }

    /// <summary>
    /// Event times from a text file: a BIDS events.tsv (column `onset` by default), a CSV with a
    /// header, or one number per line. <paramref name="rowFilters"/> keep rows whose column equals a
    /// value (e.g. trial_type=go); rows whose time is "n/a" are skipped, as BIDS allows.
    /// </summary>
    public static double[] FromTextFile(string path, string? column = null, IReadOnlyList<(string Column, string Value)>? rowFilters = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NeuroAlignException($"{path}: cannot read: {Memory.FileErrors.Describe(e)}", e);
        }

        var rows = lines.Select((line, i) => (Line: line.TrimEnd('\r'), Number: i + 1))
            .Where(r => r.Line.Trim().Length > 0 && !r.Line.TrimStart().StartsWith('#'))
            .ToList();
        if (rows.Count == 0)
        {
            throw new InvalidRecordingException(path, "contents", "no rows", "event times");
        }

        char separator = path.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) || rows[0].Line.Contains('\t') ? '\t' : ',';
        string[] first = Split(rows[0].Line, separator);
        bool hasHeader = first.Any(cell => !double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out _) && cell != "n/a");
        rowFilters ??= [];
        if (!hasHeader)
        {
            if (column != null || rowFilters.Count > 0)
            {
                throw new InvalidRecordingException(path, "line 1", "no header row", "a header naming the columns, since a column or row filter was given");
            }

            if (first.Length != 1)
            {
                throw new InvalidRecordingException(path, "line 1", $"{first.Length} numbers", "one time per line (or a header naming the columns)");
            }
        }

        int timeColumn = 0;
        var filterColumns = new List<(int Index, string Value)>();
        if (hasHeader)
        {
            string wanted = column ?? (first.Contains("onset") ? "onset" : first[0]);
            timeColumn = IndexOf(first, wanted, path);
            filterColumns.AddRange(rowFilters.Select(f => (IndexOf(first, f.Column, path), f.Value)));
        }

        var times = new List<double>();
        foreach (var (line, number) in rows.Skip(hasHeader ? 1 : 0))
        {
            string[] cells = Split(line, separator);
            if (cells.Length <= timeColumn)
            {
                throw new InvalidRecordingException(path, $"line {number}", $"{cells.Length} columns", $"at least {timeColumn + 1}");
            }

            if (filterColumns.Any(f => f.Index >= cells.Length || cells[f.Index] != f.Value))
            {
                continue;
            }

            string cell = cells[timeColumn];
            if (cell == "n/a")
            {
                continue;
            }

            if (!double.TryParse(cell, NumberStyles.Float, CultureInfo.InvariantCulture, out double t) || !double.IsFinite(t))
            {
                throw new InvalidRecordingException(path, $"line {number}, column {timeColumn + 1}", $"'{cell}'", "a finite number of seconds");
            }

            times.Add(t);
        }

        if (times.Count == 0)
        {
            throw new InvalidRecordingException(path, "rows", "no row passing the filters", "at least one event time");
        }

        return [.. times];
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

    private static string[] Split(string line, char separator) =>
        line.Split(separator).Select(c => c.Trim().Trim('"')).ToArray();

    private static int IndexOf(string[] header, string name, string path)
    {
        int i = Array.IndexOf(header, name);
        return i >= 0 ? i : throw new InvalidRecordingException(path, "header", $"columns {string.Join(", ", header)}", $"a column named '{name}'");
    }
}
