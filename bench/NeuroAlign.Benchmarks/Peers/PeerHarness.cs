using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using NeuroAlign.Filtering;
using NeuroAlign.Formats.Nifti;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;
using NeuroAlign.Time;
using NeuroAlign.Video;

namespace NeuroAlign.Benchmarks.Peers;

/// <summary>
/// One task timed in this process, for bench/peers/compare.py, which runs the same task the way
/// users do it today (numpy, nibabel, ffmpeg) right after, on the same files and the same inputs,
/// and compares. Prints one JSON line: the median and best time per repetition, and a checksum of
/// the result that the peer must reproduce (so both sides did the same work).
/// <code>
/// harness window-read FILE REPS START,START,...     1 s x 384-ch int16 window copies (ReadBlock)
/// harness channel FILE CHANNEL REPS                 one channel of the whole file (ChannelSubsetStream)
/// harness clock regular|explicit QUERIES REPS       SampleClock.IndexesAtOrBefore over all queries
/// harness filter FILE REPS START,START,...          compiled `signal &gt; 0.8` over 1 s windows
/// harness nifti FILE CACHE REPS VOL,VOL,...         NiftiStream.ReadVolume (after the one-time pass)
/// harness video-index FILE REPS                     VideoStream.Open with no index yet
/// harness video-window FILE CACHE REPS FRAME,...    60 consecutive gray frames from each start
/// harness make-ephys PATH GIGABYTES                 write a realistic 384-ch recording
/// harness files                                     make the shared inputs; print their paths
/// harness codec ephys|video|fmri CODEC[-LEVEL] REPS [KEEP|-] [THREADS] [buffers|mapped]  ten windows through Hdf5Sink (Hdf5/CodecBenchmarks.cs)
/// harness codec-chunk ephys|video|fmri CODEC[-LEVEL] REPS [THREADS] [pre-shuffled]  the codec alone on the same chunks (Hdf5/CodecBenchmarks.cs)
/// harness spike-bin FOLDER WINDOWS REPS            bin a Kilosort folder's spikes into 1 s windows of 1 ms bins (Streams/SpikeBinningHarness.cs)
/// harness cbin-window CBIN REPS START,START,...    1 s windows of an mtscomp .cbin (CbinHarness.cs)
/// harness pose-window POSE_H5 FPS ROWS REPS STARTS   pose of many windows from a DeepLabCut .h5 (PoseHarness.cs)
/// </code>
/// </summary>
public static class PeerHarness
{
    public const int Channels = 384;
    public const int WindowSamples = 30_000;

    public static int Run(string[] args)
    {
        string task = args.Length > 0 ? args[0] : "";
        string[] a = args.Length > 0 ? args[1..] : [];
        switch (task)
        {
            case "window-read": WindowRead(a[0], Int(a[1]), Longs(a[2])); break;
            case "channel": Channel(a[0], Int(a[1]), Int(a[2])); break;
            case "clock": Clock(a[0], Int(a[1]), Int(a[2])); break;
            case "filter": Filter(a[0], Int(a[1]), Longs(a[2])); break;
            case "nifti": Nifti(a[0], a[1], Int(a[2]), Longs(a[3])); break;
            case "video-index": VideoIndex(a[0], Int(a[1])); break;
            case "video-window": VideoWindow(a[0], a[1], Int(a[2]), Longs(a[3])); break;
            case "make-ephys":
                var clock = Stopwatch.StartNew();
                BenchFiles.WriteRealisticEphys(a[0], (long)(double.Parse(a[1], CultureInfo.InvariantCulture) * 1e9));
                Report("make-ephys", [clock.Elapsed.TotalSeconds], 0);
                break;
            case "codec": Hdf5.CodecBenchmarks.Harness(a[0], a[1], Int(a[2]), a.Length > 3 && a[3] != "-" ? a[3] : null, a.Length > 4 ? Int(a[4]) : 0, a.Length > 5 && a[5] == "mapped"); break;
            case "codec-chunk": Hdf5.CodecBenchmarks.ChunkHarness(a[0], a[1], Int(a[2]), a.Length > 3 ? Int(a[3]) : 1, a.Length > 4 && a[4] == "pre-shuffled"); break;
            case "spike-bin": Streams.SpikeBinningHarness.Run(a[0], Int(a[1]), Int(a[2])); break;
            case "cbin-window": CbinHarness.Run(a); break;
            case "nwb-window": NwbHarness.Run(a); break;
            case "pose-window": PoseHarness.Run(a); break;
            case "files":
                Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string>
                {
                    ["ephys_180s"] = BenchFiles.RealisticRecording(180),
                    ["ephys_60s"] = BenchFiles.RealisticRecording(60),
                    ["nii"] = Formats.Nifti.FmriBenchFiles.Run(300, gzip: false),
                    ["nii_gz"] = Formats.Nifti.FmriBenchFiles.Run(300, gzip: true),
                    ["video_hour"] = Video.BenchVideos.Hour60Fps,
                    ["video_minute"] = Video.BenchVideos.Minute640x480,
                }));
                break;
            default:
                Console.Error.WriteLine("usage: harness window-read|channel|clock|filter|nifti|video-index|video-window|make-ephys|codec|files ... (see PeerHarness.cs)");
                return 2;
        }

        return 0;
    }

    private static void WindowRead(string path, int reps, long[] starts)
    {
        using InterleavedBinaryStream stream = RawBinaryReader.Open(path, new RawBinaryOptions());
        var window = new short[WindowSamples * Channels];
        double[] times = Time(reps, r => stream.ReadBlock(starts[r % starts.Length], WindowSamples, MemoryMarshal.AsBytes(window.AsSpan())));
        stream.ReadBlock(starts[0], WindowSamples, MemoryMarshal.AsBytes(window.AsSpan()));
        Report("window-read", times, Sum(window));
    }

    private static void Channel(string path, int channel, int reps)
    {
        using ContinuousStream stream = RawBinaryReader.Open(path, new RawBinaryOptions()).SelectChannels([channel]);
        var values = new short[stream.SampleCount];
        double[] times = Time(reps, _ => stream.ReadBlock(0, values.Length, MemoryMarshal.AsBytes(values.AsSpan())));
        Report("channel", times, Sum(values));
    }

    /// <summary>The queries compare.py makes too: the golden-ratio sequence over the clock's span.</summary>
    public static double[] ClockQueries(int count, double spanSeconds) =>
        Enumerable.Range(0, count).Select(i => (i * 0.6180339887498949 % 1.0) * spanSeconds).ToArray();

    private static void Clock(string kind, int queries, int reps)
    {
        // Regular: one hour at 30 kHz. Explicit: one hour of 60 fps frames with ±2 ms jitter.
        SampleClock clock = kind == "regular"
            ? new RegularClock(0, 30_000, 30_000L * 3600)
            : new ExplicitClock(Enumerable.Range(0, 216_000).Select(k => (k / 60.0) + (0.002 * Math.Sin(k))).ToArray());
        double[] q = ClockQueries(queries, 3599.0);
        long[] found = new long[queries];
        double[] times = Time(reps, _ => clock.IndexesAtOrBefore(q, found));
        Report("clock-" + kind, times, found.Sum());
    }

    private static void Filter(string path, int reps, long[] starts)
    {
        using InterleavedBinaryStream stream = RawBinaryReader.Open(path, new RawBinaryOptions());
        double[] gains = Enumerable.Range(0, Channels).Select(c => c % 2 == 0 ? 2.34375 : 0.195).ToArray();
        CompiledFilter filter = FilterSet.Parse(["signal > 0.8"]).Compile(new FilterTarget(new NeuroAlign.Modalities.Ephys.EphysModality().FilterScope, SampleType.Int16, Channels, gains, Enumerable.Range(0, Channels).ToArray()));
        byte[] mask = new byte[WindowSamples * Channels];
        long Evaluate(long start)
        {
            stream.TryGetWindow(start, WindowSamples, out ReadOnlySpan<byte> window);
            return filter.Evaluate(window, [], [], mask);
        }

        double[] times = Time(reps, r => Evaluate(starts[r % starts.Length]));
        Report("filter", times, Evaluate(starts[0]));
    }

    private static void Nifti(string path, string cache, int reps, long[] volumes)
    {
        using NiftiStream stream = NiftiReader.Open(path, new NiftiOptions(CacheDirectory: cache));
        var volume = new float[stream.SampleShape.Aggregate(1, (x, d) => x * d)];
        double[] times = Time(reps, r => stream.ReadVolume(volumes[r % volumes.Length], volume));
        stream.ReadVolume(volumes[0], volume);
        Report("nifti", times, volume.Sum(v => (double)v));
    }

    private static void VideoIndex(string path, int reps)
    {
        string root = Directory.CreateTempSubdirectory("neuroalign-harness-index-").FullName;
        long frames = 0;
        try
        {
            double[] times = Time(reps, r =>
            {
                using VideoStream video = VideoStream.Open(path, new VideoOptions(IndexCacheDirectory: Path.Combine(root, $"{r}")));
                frames = video.FrameCount;
            }, warmup: 0);
            Report("video-index", times, frames);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void VideoWindow(string path, string cache, int reps, long[] starts)
    {
        const int Frames = 60;
        using VideoStream video = VideoStream.Open(path, new VideoOptions(IndexCacheDirectory: cache));
        var window = new byte[Frames * video.FrameWidth * video.FrameHeight];
        var indices = new long[Frames];
        void Read(long start)
        {
            for (int i = 0; i < Frames; i++)
            {
                indices[i] = start + i;
            }

            video.ReadSamples(indices, window);
        }

        double[] times = Time(reps, r => Read(starts[r % starts.Length]), warmup: 0);
        Read(starts[0]);
        Report("video-window", times, window.Sum(b => (long)b));
    }

    /// <summary>
    /// Times <paramref name="reps"/> runs after a warm-up of at least <paramref name="warmup"/> runs and,
    /// when warmup &gt; 0, at least 2 s: the JIT recompiles hot methods with full optimisation only
    /// after they have run a while (tiered compilation), which a long export always reaches.
    /// </summary>
    private static double[] Time(int reps, Action<int> work, int warmup = 2)
    {
        long started = Stopwatch.GetTimestamp();
        for (int r = 0; r < warmup || (warmup > 0 && Stopwatch.GetElapsedTime(started).TotalSeconds < 2); r++)
        {
            work(r);
        }

        var times = new double[reps];
        TimeSpan cpu = Process.GetCurrentProcess().TotalProcessorTime;
        for (int r = 0; r < reps; r++)
        {
            long t = Stopwatch.GetTimestamp();
            work(r);
            times[r] = Stopwatch.GetElapsedTime(t).TotalSeconds;
        }

        // User + system seconds per repetition, all threads: what a loaded machine does not change.
        s_cpuPerRep = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / Math.Max(1, reps);
        return times;
    }

    /// <summary>CPU seconds per repetition of the last <see cref="Time"/>.</summary>
    private static double s_cpuPerRep;

    private static void Report(string task, double[] seconds, double check)
    {
        double[] sorted = [.. seconds.Order()];
        double median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["task"] = task,
            ["median_s"] = median,
            ["min_s"] = sorted[0],
            ["reps"] = seconds.Length,
            ["cpu_s"] = s_cpuPerRep,
            ["check"] = check,
        }));
    }

    private static long Sum(ReadOnlySpan<short> values)
    {
        long sum = 0;
        foreach (short v in values)
        {
            sum += v;
        }

        return sum;
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

    private static long[] Longs(string text) => text.Split(',').Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
}
