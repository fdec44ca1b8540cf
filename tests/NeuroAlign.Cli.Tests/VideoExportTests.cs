using NeuroAlign.TestData;
using NeuroAlign.Video;

namespace NeuroAlign.Cli.Tests;

/// <summary>--video end to end: the HDF5 contract checked with h5py against numpy and a full ffmpeg decode.</summary>
public class VideoExportTests
{
    /// <summary>A 29.97 fps video whose frame k has gray level k everywhere (lossless FFV1).</summary>
    private static string IndexVideo(TempFolder folder, int frames = 90) =>
        IndexPatternVideo.Write(folder.File("index.avi"), frames, "30000/1001", new FrameSize(32, 24));

    [Slow]
    [RequiresFact(Needs.Ffmpeg)]
    public void Export_VideoOnly_PreviousFrameAtEveryGridTime()
    {
        using var folder = new TempFolder();
        string video = IndexVideo(folder);
        string output = folder.File("o.h5");

        var (code, stdout, stderr) = CliRunner.Run("--video", video, "--time", "1", "--before", "0.2", "--after", "0.3", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("video: 15 samples per window", stdout);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            times = np.arange(90) * 1001 / 30000          # the frames' presentation times
            rate = 89 / times[-1]                          # measured mean rate
            grid = 1 - 0.2 + np.arange(15) / rate
            expect = np.searchsorted(times, grid + 1e-9, side='right') - 1   # frame shown at each grid time
            d = f['video/data']
            assert d.shape == (1, 15, 24, 32) and d.dtype == np.uint8, (d.shape, d.dtype)
            assert np.array_equal(f['video/source_index'][0], expect), (f['video/source_index'][0], expect)
            assert np.array_equal(d[0].reshape(15, -1).min(axis=1), expect)   # each frame shows its own index
            assert np.array_equal(d[0].reshape(15, -1).max(axis=1), expect)
            assert np.allclose(f['video/timestamps'][0], grid, atol=1e-12)
            assert np.allclose(f['video/source_time'][0], times[expect], atol=1e-12)
            assert f.attrs['reference_stream'].startswith('video')
            a = f['video'].attrs
            assert a['format'] == 'video' and a['codec'] == 'ffv1' and a['interpolation'] == 'previous'
            assert a['frame_count'] == 90 and a['color'] == 'gray'
            print('ok')
            """,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [Slow]
    [RequiresFact(Needs.Ffmpeg)]
    public void Export_RgbScaledVideoWithEphys_FramesMatchFullDecode()
    {
        using var folder = new TempFolder();
        string video = folder.File("color.mp4");
        Ffmpeg.Run("-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-frames:v", "100", "-c:v", "libx264", "-bf", "2", "-g", "20", "-pix_fmt", "yuv420p", video);
        string ephys = folder.File("e.dat");
        SyntheticEphys.WriteInt16(ephys, 150_000, 4);
        string output = folder.File("o.h5");
        File.WriteAllBytes(folder.File("full.rgb"), Ffmpeg.FullDecode(video, "rgb24", "48:36"));

        var (code, stdout, stderr) = CliRunner.Run(
            "--ephys", ephys, "--ephys-channels", "4", "--video", video, "--video-color", "rgb", "--video-size", "48x36",
            "--time", "2.02", "--before", "0.5", "--after", "0.5", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("both start at reference time 0", stdout);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            full = np.fromfile(sys.argv[2], dtype=np.uint8).reshape(100, 36, 48, 3)
            f = h5py.File(sys.argv[1], 'r')
            d = f['video/data']
            assert d.shape == (1, 25, 36, 48, 3), d.shape
            idx = f['video/source_index'][0]
            grid = 2.02 - 0.5 + np.arange(25) / 25.0
            assert np.array_equal(idx, np.floor(grid * 25 + 1e-6).astype(int)), idx
            assert np.array_equal(d[0], full[idx])
            assert f['ephys/data'].shape == (1, 30000, 4)
            print('ok')
            """,
            output,
            folder.File("full.rgb"));
        Assert.Equal("ok", check.Trim());
    }

    [Slow]
    [RequiresFact(Needs.Ffmpeg)]
    public void Export_VideoTimestampsFile_ReplacesContainerTimes()
    {
        using var folder = new TempFolder();
        string video = IndexVideo(folder, frames: 30);
        string times = folder.File("t.csv");
        // A camera that logged its own (irregular) frame times, 10 s into the session.
        File.WriteAllLines(times, ["frame,timestamp", .. Enumerable.Range(0, 30).Select(k => $"{k},{10 + (k * 0.05) + (k % 2 * 0.01):R}")]);
        string output = folder.File("o.h5");

        var (code, _, stderr) = CliRunner.Run("--video", video, "--video-timestamps", times, "--time", "0.5", "--after", "0.4", "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            own = 10 + np.arange(30) * 0.05 + (np.arange(30) % 2) * 0.01
            rel = own - own[0]                          # the video alone: its first frame is time 0
            n = int(round(0.4 * 29 / rel[-1]))
            grid = 0.5 + np.arange(n) * rel[-1] / 29
            expect = np.searchsorted(rel, grid + 1e-9, side='right') - 1
            assert np.array_equal(f['video/source_index'][0], expect), (f['video/source_index'][0], expect)
            assert np.array_equal(f['video/data'][0].reshape(n, -1).max(axis=1), expect)
            assert 'file' in f['video'].attrs['timestamp_source']
            print('ok')
            """,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Export_TimestampsCountMismatch_OneLineAndNothingWritten()
    {
        using var folder = new TempFolder();
        string video = IndexVideo(folder, frames: 30);
        string times = folder.File("t.txt");
        File.WriteAllLines(times, Enumerable.Range(0, 29).Select(k => $"{k * 0.033}"));

        var (code, _, stderr) = CliRunner.Run("--video", video, "--video-timestamps", times, "--time", "0.5", "--out", folder.File("o.h5"));

        ExportCommandTests.AssertOneLineError(code, stderr, "t.txt", "29 times", "expected 30");
        Assert.Equal(["index.avi", "t.txt"], folder.FileNames());
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Export_NotAVideo_OneLineAndNothingWritten()
    {
        using var folder = new TempFolder();
        string video = folder.File("v.mp4");
        File.WriteAllText(video, "not a video");

        var (code, _, stderr) = CliRunner.Run("--video", video, "--time", "0", "--out", folder.File("o.h5"));

        ExportCommandTests.AssertOneLineError(code, stderr, "v.mp4", "Invalid data found");
        Assert.Equal(["v.mp4"], folder.FileNames());
    }

    [Theory]
    [InlineData("--video-size", "12", "expected WIDTHxHEIGHT")]
    [InlineData("--video-color", "blue", "expected gray or rgb")]
    public void Export_BadVideoOption_UsageError(string flag, string value, string expected)
    {
        var (code, _, stderr) = CliRunner.Run("--video", "v.mp4", "--time", "0", flag, value);

        Assert.Equal(2, code);
        ExportCommandTests.AssertOneLineError(code, stderr, flag, expected);
    }

    [Fact]
    public void Export_VideoOptionWithoutVideo_UsageError()
    {
        var (code, _, stderr) = CliRunner.Run("--ephys", "x.dat", "--time", "0", "--video-color", "rgb");

        Assert.Equal(2, code);
        ExportCommandTests.AssertOneLineError(code, stderr, "--video-color needs --video");
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Export_VideoAtItsOwnRateAndSeveralTimes_PreviousFrames()
    {
        using var folder = new TempFolder();
        string video = IndexVideo(folder);
        string output = folder.File("o.h5");

        var (code, _, stderr) = CliRunner.Run("--video", video, "--times", "0.3,2.0,1.1", "--after", "0.5", "--rate", "video=10", "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            times = np.arange(90) * 1001 / 30000
            for w, t in enumerate([0.3, 2.0, 1.1]):
                grid = t + np.arange(5) / 10
                expect = np.searchsorted(times, grid + 1e-9, side='right') - 1
                assert np.array_equal(f['video/source_index'][w], expect), (w, f['video/source_index'][w], expect)
                assert np.array_equal(f['video/data'][w].reshape(5, -1).max(axis=1), expect)
            assert f['video'].attrs['output_rate_hz'] == 10
            print('ok')
            """,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [Fact]
    public void Export_LinearModeForVideo_UsageErrorThatSaysWhatToDo()
    {
        using var folder = new TempFolder();
        string video = folder.File("v.mp4");
        File.WriteAllText(video, "never opened: the mode is checked first");

        var (code, _, stderr) = CliRunner.Run("--video", video, "--time", "0", "--mode", "linear", "--out", folder.File("o.h5"));

        Assert.Equal(2, code);
        ExportCommandTests.AssertOneLineError(code, stderr, "--mode", "video=previous");
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Info_Video_CodecSizeFramesRateIntervalsDuration()
    {
        using var folder = new TempFolder();
        string video = IndexVideo(folder, frames: 45);

        var (code, stdout, stderr) = CliRunner.Run("info", video);

        Assert.True(code == 0, stderr);
        Assert.Contains("ffv1 in avi", stdout);
        Assert.Contains("32x24", stdout);
        Assert.Contains("frames:         45", stdout);
        Assert.Contains("29.970030 Hz", stdout);
        Assert.Contains("min 33.366667 ms, max 33.366667 ms", stdout);
        Assert.Contains("1.501500 s", stdout); // 45 frames × 1001/30000 s
        Assert.Contains("container packet pts, time base 1001/30000", stdout);
    }

    [Slow]
    [RequiresFact(Needs.Ffmpeg)]
    public void Demo_VideoFramesShowTheirOwnIndex()
    {
        using var folder = new TempFolder();

        var (code, stdout, stderr) = CliRunner.Run("demo", "--dir", folder.Path);

        Assert.True(code == 0, stderr);
        Assert.Contains("behaviour.avi", stdout);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            v = f['video/data'][0]
            idx = f['video/source_index'][0]
            assert v.shape == (30, 48, 64), v.shape
            # The camera strobe (demo: exposures from 0.3 s, exposure 40 skipped) puts frame 64, which
            # shows exposure 65, on screen at 2.5 s.
            assert idx[0] == 64 and np.array_equal(idx, np.arange(64, 94)), idx
            assert np.array_equal(v.reshape(30, -1).mean(axis=1), idx)
            assert abs(f['video/source_time'][0, 0] - (0.3 + 65 * 1001 / 30000)) < 1e-4
            assert f['sync/video'].attrs['frames_dropped'] == 1
            print('ok')
            """,
            Path.Combine(folder.Path, "aligned.h5"));
        Assert.Equal("ok", check.Trim());
    }
}

/// <summary>Keeps the video indexes these tests create out of the user's cache folder.</summary>
internal static class VideoIndexCacheForTests
{
#pragma warning disable CA2255 // A test assembly is the place for this: it only sets up the test process.
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void UseTemporaryCache()
    {
        if (Environment.GetEnvironmentVariable("NEUROALIGN_CACHE_DIR") is null)
        {
            Environment.SetEnvironmentVariable("NEUROALIGN_CACHE_DIR", Path.Combine(Path.GetTempPath(), "neuroalign-tests", "cache"));
        }
    }
}
