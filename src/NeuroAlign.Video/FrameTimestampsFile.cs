using System.Globalization;
using NeuroAlign.Formats.Npy;
using NeuroAlign.Streams;

namespace NeuroAlign.Video;

/// <summary>
/// Frame times a lab logged itself (--video-timestamps), in seconds: one number per line, a CSV
/// with a header row (the column named time/timestamp/seconds…, or the only column), or a 1-D
/// .npy of float64 (or float32). Times must be finite and strictly increasing.
/// </summary>
public static class FrameTimestampsFile
{
    /// <summary>Header names recognised as the time column, in order of preference.</summary>
    public static readonly IReadOnlyList<string> TimeColumnNames =
        ["time", "times", "timestamp", "timestamps", "seconds", "time_s", "timestamp_s", "frame_time", "frame_times", "t"];

    /// <summary>Reads the file's times, checked finite and strictly increasing.</summary>
    public static double[] Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        double[] times;
        string unit;
        try
        {
            if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            {
                times = ReadNpy(path);
                unit = "element";
            }
            else
            {
                times = ReadText(path);
                unit = "time";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NeuroAlignException($"{path}: cannot read: {Memory.FileErrors.Describe(e)}", e);
        }

        if (times.Length == 0)
        {
            throw new InvalidRecordingException(path, "frame times", "no times", "one time in seconds per video frame");
        }

        for (int k = 0; k < times.Length; k++)
        {
            if (!double.IsFinite(times[k]))
            {
                throw new InvalidRecordingException(path, $"{unit} {k}", times[k].ToString(CultureInfo.InvariantCulture), "a finite number of seconds");
            }

            if (k > 0 && !(times[k] > times[k - 1]))
            {
                throw new InvalidRecordingException(
                    path,
                    $"{unit} {k}",
                    string.Create(CultureInfo.InvariantCulture, $"{times[k]:R} s after {times[k - 1]:R} s"),
                    "strictly increasing frame times");
            }
        }

        return times;
    }

    private static double[] ReadText(string path)
    {
        var times = new List<double>();
        int column = -1;
        int columns = 0;
        int lineNumber = 0;
        foreach (string raw in File.ReadLines(path))
        {
            lineNumber++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            char separator = line.Contains('\t', StringComparison.Ordinal) ? '\t' : ',';
            string[] cells = line.Split(separator);
            if (column < 0)
            {
                columns = cells.Length;
                if (!TryParseSeconds(cells[0], out _))
                {
                    column = ChooseColumn(path, cells);
                    continue;
                }

                if (cells.Length != 1)
                {
                    throw new InvalidRecordingException(
                        path, $"line {lineNumber}", $"{cells.Length} values and no header row", "one number per line, or a CSV with a header naming a time column");
                }

                column = 0;
            }

            if (cells.Length != columns)
            {
                throw new InvalidRecordingException(path, $"line {lineNumber}", $"{cells.Length} values", $"{columns} as in the first row");
            }

            if (!TryParseSeconds(cells[column], out double seconds))
            {
                throw new InvalidRecordingException(path, $"line {lineNumber}", $"'{cells[column].Trim()}'", "a time in seconds");
            }

            times.Add(seconds);
        }

        return times.ToArray();
    }

    private static int ChooseColumn(string path, string[] header)
    {
        string[] names = header.Select(h => h.Trim().Trim('"').Trim()).ToArray();
        if (names.Length == 1)
        {
            return 0;
        }

        foreach (string wanted in TimeColumnNames)
        {
            int found = Array.FindIndex(names, n => string.Equals(n, wanted, StringComparison.OrdinalIgnoreCase));
            if (found >= 0)
            {
                return found;
            }
        }

        throw new InvalidRecordingException(
            path, "header row", $"columns {string.Join(", ", names)}", $"a column named one of {string.Join(", ", TimeColumnNames)}");
    }

    private static bool TryParseSeconds(string text, out double seconds) =>
        double.TryParse(text.Trim().Trim('"'), NumberStyles.Float, CultureInfo.InvariantCulture, out seconds);

    /// <summary>
    /// A 1-D (or N×1, 1×N) float64/float32 .npy, read with Core's .npy reader: its header parser
    /// bounds the shape against the file's size before anything is allocated (a hand-rolled parser
    /// here threw OverflowException, FormatException and ArgumentOutOfRangeException on lying headers).
    /// </summary>
    private static double[] ReadNpy(string path)
    {
        using NpyArray array = NpyArray.Open(path, SampleType.Float64, SampleType.Float32);
        IReadOnlyList<long> dims = array.Header.Shape;

        // (N,), (N, 1) and (1, N) hold the values in the same order.
        if (dims.Count is 0 or > 2 || (dims.Count == 2 && dims[0] != 1 && dims[1] != 1))
        {
            throw new InvalidRecordingException(path, "header 'shape'", $"({string.Join(", ", dims)})", "a 1-D array of frame times (N,) or (N, 1)");
        }

        // The header reader checked that the file holds every element, so the count is bounded by its size.
        var times = new double[array.Count];
        for (int k = 0; k < times.Length; k++)
        {
            times[k] = array.GetDouble(k);
        }

        return times;
    }
}
