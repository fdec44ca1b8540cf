namespace NeuroAlign.Video.Tests.Support;

/// <summary>
/// Small videos made with ffmpeg's lavfi test sources, once per test run, in a temporary folder.
/// Their frame times are known by construction.
/// </summary>
public sealed class GeneratedVideos : IDisposable
{
    public const int Width = 160;
    public const int Height = 120;

    /// <summary>Frames of <see cref="ConstantRate"/>: 25 fps, 12.04 s, GOP 50, 3 B-frames.</summary>
    public const int ConstantRateFrames = 301;

    /// <summary>Frames of the variable-rate videos.</summary>
    public const int VariableRateFrames = 80;

    private readonly Lazy<string> _constantRate;
    private readonly Lazy<string> _variableRateMkv;
    private readonly Lazy<string> _variableRateMp4;

    public GeneratedVideos()
    {
        Folder = Directory.CreateTempSubdirectory("neuroalign-video-tests-").FullName;
        _constantRate = new(() => Make(
            "cfr_bframes.mp4",
            ["-f", "lavfi", "-i", $"testsrc2=size={Width}x{Height}:rate=25", "-frames:v", $"{ConstantRateFrames}",
             "-c:v", "libx264", "-g", "50", "-bf", "3", "-pix_fmt", "yuv420p"]));
        _variableRateMkv = new(() => Make(
            "vfr.mkv",
            ["-f", "lavfi", "-i", $"testsrc2=size={Width}x{Height}:rate=25", "-frames:v", $"{VariableRateFrames}",
             "-vf", "settb=1/1000,setpts='20*N+mod(N*N,7)'", "-enc_time_base", "1/1000", "-fps_mode", "passthrough",
             "-c:v", "libx264", "-g", "10", "-bf", "2", "-pix_fmt", "yuv420p"]));
        _variableRateMp4 = new(() => Make(
            "vfr90k.mp4",
            ["-f", "lavfi", "-i", $"testsrc2=size={Width}x{Height}:rate=25", "-frames:v", $"{VariableRateFrames}",
             "-vf", "settb=1/90000,setpts='3003*N+mod(N*N*7,1000)'", "-enc_time_base", "1/90000", "-fps_mode", "passthrough",
             "-c:v", "libx264", "-g", "10", "-bf", "2", "-pix_fmt", "yuv420p", "-video_track_timescale", "90000"]));
    }

    /// <summary>The temporary folder holding the videos.</summary>
    public string Folder { get; }

    /// <summary>H.264 in mp4, 25 fps, 301 frames, B-frames (packets out of presentation order).</summary>
    public string ConstantRate => _constantRate.Value;

    /// <summary>Matroska (time base 1/1000), frame k shown at (20k + k² mod 7) ms, B-frames.</summary>
    public string VariableRateMkv => _variableRateMkv.Value;

    /// <summary>mp4 (time base 1/90000), frame k at (3003k + 7k² mod 1000) ticks of 1/90000 s, B-frames.</summary>
    public string VariableRateMp4 => _variableRateMp4.Value;

    /// <summary>The known pts (ms) of frame k of <see cref="VariableRateMkv"/>.</summary>
    public static long MkvPtsMilliseconds(long k) => (20 * k) + (k * k % 7);

    /// <summary>The known pts (1/90000 s) of frame k of <see cref="VariableRateMp4"/>.</summary>
    public static long Mp4Pts90k(long k) => (3003 * k) + (k * k * 7 % 1000);

    /// <summary>A fresh, empty folder for one test (an index cache, bad files…).</summary>
    public string NewFolder() => Directory.CreateDirectory(Path.Combine(Folder, Guid.NewGuid().ToString("N"))).FullName;

    /// <summary>Makes a video with ffmpeg in a fresh folder.</summary>
    public string Make(string name, string[] arguments)
    {
        string path = Path.Combine(NewFolder(), name);
        ExternalTools.Ffmpeg([.. arguments, path]);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class VideoCollection : ICollectionFixture<GeneratedVideos>
{
    public const string Name = "generated videos";
}
