using System.Buffers.Binary;
using System.Globalization;
using System.Text;

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

    // NEP 1: "\x93NUMPY" opens every .npy file.
    private static ReadOnlySpan<byte> NpyMagic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

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

    /// <summary>A 1-D (or N×1) float64/float32 .npy (NEP 1: magic, version, header length, a Python dict literal).</summary>
    private static double[] ReadNpy(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        ReadOnlySpan<byte> data = bytes;
        if (data.Length < 10 || !data[..6].SequenceEqual(NpyMagic))
        {
            throw new InvalidRecordingException(path, "byte 0", "no \\x93NUMPY magic", "a .npy file");
        }

        int major = data[6];
        int headerLength, headerStart;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(data[8..]);
            headerStart = 10;
        }
        else if (major is 2 or 3)
        {
            headerLength = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(data[8..]));
            headerStart = 12;
        }
        else
        {
            throw new InvalidRecordingException(path, "byte 6 (version)", major.ToString(CultureInfo.InvariantCulture), "1, 2 or 3");
        }

        if (headerStart + headerLength > data.Length)
        {
            throw new InvalidRecordingException(path, "header length", $"{headerLength} bytes", $"at most {data.Length - headerStart}");
        }

        string header = Encoding.Latin1.GetString(data.Slice(headerStart, headerLength));
        string descr = DictValue(path, header, "descr").Trim('\'', '"');
        string shape = DictValue(path, header, "shape");
        long[] dims = shape.Trim('(', ')').Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(d => long.Parse(d, CultureInfo.InvariantCulture)).ToArray();
        // (N,), (N, 1) and (1, N) hold the values in the same order whatever fortran_order says.
        if (dims.Length is 0 or > 2 || (dims.Length == 2 && dims[0] != 1 && dims[1] != 1))
        {
            throw new InvalidRecordingException(path, "shape", shape, "a 1-D array of frame times (N,) or (N, 1)");
        }

        long count = dims.Aggregate(1L, (a, b) => a * b);
        int size = descr[1..] switch
        {
            "f8" => 8,
            "f4" => 4,
            _ => throw new InvalidRecordingException(path, "descr", descr, "float64 ('<f8') or float32 ('<f4') seconds"),
        };
        bool bigEndian = descr[0] == '>';
        ReadOnlySpan<byte> payload = data[(headerStart + headerLength)..];
        if (payload.Length < count * size)
        {
            throw new InvalidRecordingException(path, "data", $"{payload.Length} bytes", $"{count * size} for {count} values");
        }

        var times = new double[count];
        for (int k = 0; k < times.Length; k++)
        {
            ReadOnlySpan<byte> cell = payload.Slice(k * size, size);
            times[k] = (size, bigEndian) switch
            {
                (8, false) => BinaryPrimitives.ReadDoubleLittleEndian(cell),
                (8, true) => BinaryPrimitives.ReadDoubleBigEndian(cell),
                (4, false) => BinaryPrimitives.ReadSingleLittleEndian(cell),
                _ => BinaryPrimitives.ReadSingleBigEndian(cell),
            };
        }

        return times;
    }

    private static string DictValue(string path, string header, string key)
    {
        int at = header.IndexOf($"'{key}'", StringComparison.Ordinal);
        if (at < 0)
        {
            throw new InvalidRecordingException(path, "header", $"no '{key}'", "a numpy header dict");
        }

        int colon = header.IndexOf(':', at);
        int end = key == "shape" ? header.IndexOf(')', colon) + 1 : header.IndexOfAny([',', '}'], colon);
        return header[(colon + 1)..end].Trim();
    }
}
