using System.Globalization;
using NeuroAlign.Formats.Npy;
using NeuroAlign.Streams;
using NeuroAlign.Tables;

namespace NeuroAlign.Time;

/// <summary>
/// Frame times a lab logged itself (video-timestamps, pose-timestamps), in seconds: one number per line, a CSV
/// or TSV with a header row (a column named like a time, <see cref="TimeColumns.Names"/>, or the
/// only column), read by Core's <see cref="TimeColumns"/>; or a 1-D .npy of float64 (or float32),
/// read by Core's <see cref="NpyArray"/>. Times must be finite and strictly increasing.
/// </summary>
public static class FrameTimestampsFile
{
    /// <summary>Reads the file's times, checked finite and strictly increasing.</summary>
    public static double[] Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        bool npy = path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase);
        double[] times = npy
            ? ReadNpy(path)
            : TimeColumns.Read(path, new TimeColumnRequest { FirstColumnByDefault = false, What = "frame time" }).Seconds;
        string unit = npy ? "element" : "time";
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

    private static double[] ReadNpy(string path)
    {
        using NpyArray array = NpyArray.OpenVector(path, SampleType.Float64, SampleType.Float32);
        var times = new double[array.Count];
        for (long k = 0; k < times.Length; k++)
        {
            times[k] = array.GetDouble(k);
        }

        return times;
    }
}
