using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using NeuroAlign.Formats;
using NeuroAlign.Hdf5.Nwb;

namespace NeuroAlign.Benchmarks.Peers;

/// <summary>
/// harness nwb-window NWB#ADDRESS REPS START,START,...: random 1 s windows (ReadBlock) of an NWB
/// ElectricalSeries (chunked, gzip) through <see cref="NwbSeriesStream"/>, for
/// bench/peers/nwb_window.py. Prints the median and best time per window, a checksum of every
/// window read (h5py's slicing must reproduce it), and the process's peak resident size.
/// </summary>
public static class NwbHarness
{
    public static void Run(string[] a)
    {
        int reps = int.Parse(a[1], CultureInfo.InvariantCulture);
        long[] starts = a[2].Split(',').Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        using EphysRecording stream = NwbContainer.Instance.OpenEphys(a[0]);
        int samples = (int)Math.Round(stream.Clock.MeanRateHz);
        var window = new short[samples * stream.ChannelCount];
        double check = 0;
        var times = new double[reps];
        for (int r = -2; r < reps; r++)
        {
            long start = starts[Math.Max(0, r) % starts.Length];
            long t = Stopwatch.GetTimestamp();
            stream.ReadBlock(start, samples, MemoryMarshal.AsBytes(window.AsSpan()));
            if (r >= 0)
            {
                times[r] = Stopwatch.GetElapsedTime(t).TotalSeconds;
                long sum = 0;
                foreach (short v in window)
                {
                    sum += v;
                }

                check += sum;
            }
        }

        double[] sorted = [.. times.Order()];
        string? hwm = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["task"] = "nwb-window",
            ["median_s"] = sorted[sorted.Length / 2],
            ["min_s"] = sorted[0],
            ["reps"] = reps,
            ["check"] = check,
            ["peak_rss_kb"] = hwm is null ? -1 : long.Parse(hwm.Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture),
        }));
    }
}
