using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using NeuroAlign.Formats.Pose;
using NeuroAlign.Hdf5.Pose;
using NeuroAlign.Time;

namespace NeuroAlign.Benchmarks.Peers;

/// <summary>
/// harness pose-window POSE_H5 FPS ROWS REPS STARTS_FILE: what bench/peers/pose_window.py times
/// pandas doing in one script: read a DeepLabCut .h5 (<see cref="PoseFiles.Read"/>, the reader the
/// export uses) and gather ROWS rows from each start (one per line of STARTS_FILE) through
/// <see cref="PoseStream.ReadSamples"/> into one float32 [windows, ROWS, I, K, 3] array. Each
/// repetition reads the file again. Prints one JSON line: best and median wall time, best CPU time
/// (user + system of this process over one repetition) and the sum of every gathered value.
/// </summary>
public static class PoseHarness
{
    public static void Run(string[] a)
    {
        string path = a[0];
        double fps = double.Parse(a[1], CultureInfo.InvariantCulture);
        int rows = int.Parse(a[2], CultureInfo.InvariantCulture);
        int reps = int.Parse(a[3], CultureInfo.InvariantCulture);
        long[] starts = File.ReadLines(a[4]).Where(l => l.Length > 0).Select(l => long.Parse(l, CultureInfo.InvariantCulture)).ToArray();
        var indices = new long[starts.Length * rows];
        for (int w = 0; w < starts.Length; w++)
        {
            for (int r = 0; r < rows; r++)
            {
                indices[(w * rows) + r] = starts[w] + r;
            }
        }

        float[] windows = [];
        var walls = new double[reps];
        var cpus = new double[reps];
        using var process = Process.GetCurrentProcess();
        for (int rep = -1; rep < reps; rep++)
        {
            process.Refresh();
            TimeSpan cpu = process.TotalProcessorTime;
            long t = Stopwatch.GetTimestamp();
            PoseData data = PoseFiles.Read(path);
            using var stream = new PoseStream(data, new RegularClock(0, fps, data.FrameCount), "rate");
            windows = new float[indices.Length * data.ValuesPerFrame];
            stream.ReadSamples(indices, MemoryMarshal.AsBytes(windows.AsSpan()));
            if (rep >= 0)
            {
                walls[rep] = Stopwatch.GetElapsedTime(t).TotalSeconds;
                process.Refresh();
                cpus[rep] = (process.TotalProcessorTime - cpu).TotalSeconds;
            }
        }

        double check = 0;
        foreach (float v in windows)
        {
            check += v;
        }

        double[] sorted = [.. walls.Order()];
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["task"] = "pose-window",
            ["min_s"] = sorted[0],
            ["median_s"] = sorted[sorted.Length / 2],
            ["min_cpu_s"] = cpus.Min(),
            ["reps"] = reps,
            ["check"] = check,
        }));
    }
}
