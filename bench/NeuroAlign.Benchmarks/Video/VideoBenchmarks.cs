using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using NeuroAlign.Video;

namespace NeuroAlign.Benchmarks.Video;

/// <summary>Generated videos, kept between runs in <see cref="BenchFiles.Folder"/>.</summary>
internal static class BenchVideos
{
    /// <summary>1 hour at 60 fps (216 000 frames), 64×48 H.264: many frames, little decoding.</summary>
    public static string Hour60Fps => Make("hour_60fps_64x48.mp4", "testsrc=size=64x48:rate=60", 3600, "-preset", "ultrafast", "-g", "120");

    /// <summary>60 s at 60 fps (3 600 frames), 640×480 H.264 with B-frames, GOP 2 s: a typical behaviour camera.</summary>
    public static string Minute640x480 => Make("minute_60fps_640x480.mp4", "testsrc2=size=640x480:rate=60", 60, "-preset", "veryfast", "-g", "120");

    public static void RunToEnd(string tool, params string[] arguments)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        process.StandardOutput.BaseStream.CopyTo(Stream.Null);
        process.WaitForExit();
    }

    private static string Make(string name, string source, int seconds, params string[] encoder)
    {
        string path = Path.Combine(BenchFiles.Folder, name);
        if (!File.Exists(path))
        {
            RunToEnd("ffmpeg", ["-v", "error", "-nostdin", "-y", "-f", "lavfi", "-i", source, "-t", $"{seconds}", "-c:v", "libx264", .. encoder, "-pix_fmt", "yuv420p", path + ".partial.mp4"]);
            File.Move(path + ".partial.mp4", path);
        }

        return path;
    }
}

/// <summary>Every frame's presentation time of a 1-hour 60 fps video, against ffprobe printing them alone.</summary>
[MemoryDiagnoser]
public class VideoIndexBenchmarks
{
    private string _video = null!;
    private string _cache = null!;

    [GlobalSetup]
    public void Setup()
    {
        _video = BenchVideos.Hour60Fps;
        _cache = Directory.CreateTempSubdirectory("neuroalign-bench-index-").FullName;
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_cache, recursive: true);

    [Benchmark(Baseline = true, Description = "ffprobe -show_entries packet=pts_time (216 000 packets)")]
    public void PlainFfprobe() =>
        BenchVideos.RunToEnd("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0", _video);

    [Benchmark(Description = "VideoStream.Open, no index yet (probe, sort, write index)")]
    public long OpenAndIndex()
    {
        string fresh = Path.Combine(_cache, Guid.NewGuid().ToString("N"));
        using var stream = VideoStream.Open(_video, new VideoOptions(IndexCacheDirectory: fresh));
        return stream.FrameCount;
    }

    [Benchmark(Description = "VideoStream.Open from the cached index")]
    public long OpenCached()
    {
        using var stream = VideoStream.Open(_video, new VideoOptions(IndexCacheDirectory: _cache));
        return stream.FrameCount;
    }
}

/// <summary>Frame-accurate decoding of a 640×480 60 fps video: one window at a random time, and a long sorted batch.</summary>
[MemoryDiagnoser]
public class VideoDecodeBenchmarks
{
    private const int WindowFrames = 60;
    private string _video = null!;
    private VideoStream _stream = null!;
    private byte[] _window = null!;
    private Random _random = null!;

    [GlobalSetup]
    public void Setup()
    {
        _video = BenchVideos.Minute640x480;
        string cache = Path.Combine(BenchFiles.Folder, "video-index");
        _stream = VideoStream.Open(_video, new VideoOptions(IndexCacheDirectory: cache));
        _window = new byte[WindowFrames * _stream.FrameWidth * _stream.FrameHeight];
        _random = new Random(7);
    }

    [GlobalCleanup]
    public void Cleanup() => _stream.Dispose();

    [Benchmark(Baseline = true, Description = "ffmpeg -i video -f null - (decode every frame, nothing else)")]
    public void FfmpegNull() => BenchVideos.RunToEnd("ffmpeg", "-v", "error", "-nostdin", "-i", _video, "-f", "null", "-");

    [Benchmark(Description = "every frame as sorted 60-frame windows, gray, one pass")]
    public long SortedBatch()
    {
        using var stream = VideoStream.Open(_video, new VideoOptions(IndexCacheDirectory: Path.Combine(BenchFiles.Folder, "video-index")));
        var indices = new long[WindowFrames];
        for (long start = 0; start + WindowFrames <= stream.FrameCount; start += WindowFrames)
        {
            for (int i = 0; i < WindowFrames; i++)
            {
                indices[i] = start + i;
            }

            stream.ReadSamples(indices, _window);
        }

        return stream.FramesDecoded;
    }

    [Benchmark(Description = "one 60-frame window at a random time (seek + decode)")]
    public void RandomWindow()
    {
        long start = _random.NextInt64(0, _stream.FrameCount - WindowFrames);
        long[] indices = Enumerable.Range(0, WindowFrames).Select(i => start + i).ToArray();
        _stream.ReadSamples(indices, _window);
    }
}
