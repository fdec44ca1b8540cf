using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using NeuroAlign.Streams;

namespace NeuroAlign.Benchmarks.Peers;

/// <summary>
/// The measurement shared by the random-window harnesses of compressed sources (cbin-window,
/// nwb-window): 1 s windows (ReadBlock) at the given starts after two warm-up reads; prints the
/// median and best time per window, the CPU time (user + system) of the measured reads, a checksum of every window read (the Python side must reproduce
/// it), and the process's peak resident size, as one JSON line.
/// </summary>
public static class WindowReadHarness
{
    /// <param name="task">The harness task's name, echoed in the JSON.</param>
    /// <param name="stream">An int16 stream.</param>
    /// <param name="a">REPS START,START,... (the arguments after the source).</param>
    /// <param name="extra">More facts for the JSON line.</param>
    public static void Run(string task, ContinuousStream stream, string[] a, IReadOnlyDictionary<string, object>? extra = null)
    {
        int reps = int.Parse(a[0], CultureInfo.InvariantCulture);
        long[] starts = a[1].Split(',').Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        int samples = (int)Math.Round(stream.Clock.MeanRateHz);
        var window = new short[samples * stream.ChannelCount];
        double check = 0;
        var times = new double[reps];
        TimeSpan cpuAtStart = TimeSpan.Zero;
        for (int r = -2; r < reps; r++)
        {
            if (r == 0)
            {
                cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
            }

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

        // User + system seconds of the measured reads (all threads), which do not depend on the share of a loaded machine the process got.
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart).TotalSeconds;
        double[] sorted = [.. times.Order()];
        string? hwm = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var result = new Dictionary<string, object>
        {
            ["task"] = task,
            ["median_s"] = sorted[sorted.Length / 2],
            ["min_s"] = sorted[0],
            ["reps"] = reps,
            ["cpu_s"] = cpu,
            ["check"] = check,
            ["peak_rss_kb"] = hwm is null ? -1 : long.Parse(hwm.Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, object>())
        {
            result[key] = value;
        }

        Console.WriteLine(JsonSerializer.Serialize(result));
    }
}
