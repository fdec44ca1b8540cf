using System.Diagnostics;
using System.Text.Json;
using NeuroAlign.Alignment;
using NeuroAlign.Formats.Kilosort;
using NeuroAlign.Modalities.Spikes;
using NeuroAlign.Time;

namespace NeuroAlign.Benchmarks.Streams;

/// <summary>
/// <c>harness spike-bin FOLDER WINDOWS REPS</c> for bench/peers/spike_binning.py: opens a Kilosort
/// folder (the one checking pass over the mapped files), then bins its spikes into WINDOWS
/// one-second windows of 1 ms bins (EventBinner, the export's code, lists included) REPS times.
/// Prints one JSON line: open time, median pass time, a checksum numpy must reproduce
/// (Σ counts · (7k + u)), and the peak private memory (RssAnon, sampled every 100 windows) and VmHWM.
/// </summary>
public static class SpikeBinningHarness
{
    public static void Run(string folder, int windows, int reps)
    {
        long peakAnon = Status("RssAnon:");
        var open = Stopwatch.StartNew();
        SortedSpikes spikes = SortedSpikes.Open(folder, new SortedSpikesOptions());
        double openSeconds = open.Elapsed.TotalSeconds;
        peakAnon = Math.Max(peakAnon, Status("RssAnon:"));
        long samples = Math.Max(spikes.LastSample + 1, (long)(windows * spikes.SampleRateHz));
        using var stream = new SpikeStream(spikes, spikes.Units, new RegularClock(0, spikes.SampleRateHz, samples), "bench");
        var grid = new SamplingGrid(0, 1, 1000);
        int units = stream.UnitCount;
        var counts = new ushort[grid.PointCount * units];
        var list = new RaggedWindow(EventBinner.ListColumns);
        var times = new double[reps];
        double check = 0;
        long listed = 0;
        // Pass -1 computes the checksum and samples the memory; passes 0.. are timed.
        for (int r = -1; r < reps; r++)
        {
            // A binner per pass, as an export makes one per stream.
            var binner = new EventBinner(stream, new StreamTimeline(stream.Clock, ClockMap.Identity), grid);
            if (r < 0)
            {
                check = 0;
            }

            listed = 0;
            long started = Stopwatch.GetTimestamp();
            for (int w = 0; w < windows; w++)
            {
                binner.Bin(w, counts, list);
                listed += list.Count;
                if (r < 0)
                {
                    check += Checksum(counts, units);
                    if (w % 100 == 0)
                    {
                        peakAnon = Math.Max(peakAnon, Status("RssAnon:"));
                    }
                }
            }

            if (r >= 0)
            {
                times[r] = Stopwatch.GetElapsedTime(started).TotalSeconds;
            }
        }

        double[] sorted = [.. times.Order()];
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["task"] = "spike-bin",
            ["spikes"] = spikes.SpikeCount,
            ["units"] = units,
            ["open_s"] = openSeconds,
            ["median_s"] = sorted[sorted.Length / 2],
            ["min_s"] = sorted[0],
            ["reps"] = reps,
            ["listed"] = listed,
            ["check"] = check,
            ["peak_rss_anon_mb"] = peakAnon / 1024.0,
            ["vm_hwm_mb"] = Status("VmHWM:") / 1024.0,
        }));
    }

    /// <summary>The checksum of one window (computed in the untimed first pass).</summary>
    private static double Checksum(ushort[] counts, int units)
    {
        double sum = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            if (counts[i] != 0)
            {
                sum += counts[i] * ((7.0 * (i / units)) + (i % units));
            }
        }

        return sum;
    }

    /// <summary>A /proc/self/status field in kB.</summary>
    private static long Status(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
