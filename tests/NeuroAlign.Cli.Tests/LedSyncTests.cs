using System.Globalization;
using System.Text.RegularExpressions;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// --video-led (issue 7): a camera whose clock starts 0.4 s in and runs 80 ppm fast films an LED
/// whose drive pulses (irregular, 0.4–1 s apart) a NIDQ records on line 3. The fit must recover the
/// camera's clock to within a frame, and the export must pick the frames the truth names.
/// </summary>
public sealed partial class LedSyncTests : IDisposable
{
    private const double Fps = 30, NidqRateHz = 10_000, Seconds = 60;
    private const int LedLine = 3, Width = 32, Height = 24;
    private static readonly DeviceClock Camera = new(0.4, 80);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Slow]
    [RequiresFact(Needs.Ffmpeg)]
    public void Export_LedSeenByTheCamera_FitsItsClockAndPicksTheTrueFrames()
    {
        double[] led = LedOnsets(seed: 7);
        string nidq = WriteNidq(led);
        double[] frames = FrameReferenceTimes();
        string video = WriteVideo(frames, k => LedOn(led, frames[k]) ? (byte)200 : (byte)40);
        int[] picked = [3, 150, 400, 777, 1000, 1300, 1600, frames.Length - 5];
        double[] times = [.. picked.Select(k => frames[k] + (0.25 / Fps))];
        string output = _folder.File("o.h5");

        var (code, stdout, stderr) = CliRunner.Run(
            "--ephys", nidq, "--video", video, "--video-led", $"ephys:{LedLine}", "--video-led-roi", "4,4,6,5",
            "--times", string.Join(',', times.Select(t => t.ToString("R", CultureInfo.InvariantCulture))), "--after", "0.1", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("sync video: led", stdout, StringComparison.Ordinal);
        long[][] expected = [.. times.Select(t => Enumerable.Range(0, 3).Select(j => (long)Array.FindLastIndex(frames, f => f <= t + (j / Fps))).ToArray())];
        Assert.Equal(picked, expected.Select(e => (int)e[0]));
        string check = Python.Run(
            """
            import sys, json, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            expected = np.array(json.loads(sys.argv[2]))
            sv = f['sync/video'].attrs
            assert sv['method'] == 'led' and sv['reference_stream'] == 'ephys', dict(sv)
            assert 'LED mean intensity over region 4,4,6,5' in sv['source'], sv['source']
            # Within a frame of the truth: offset 0.4 s; the camera runs 80 ppm fast (drift_ppm ≈ -80).
            assert abs(sv['offset_s'] - 0.4) < 1 / 30, sv['offset_s']
            assert abs(sv['drift_ppm'] - (1 / (1 + 80e-6) - 1) * 1e6) < 30, sv['drift_ppm']
            assert sv['pulses_matched'] >= 70 and sv['max_residual_s'] <= 1 / 30 + 1e-6, dict(sv)
            assert np.array_equal(f['video/source_index'][:], expected), (f['video/source_index'][:], expected)
            print('ok')
            """,
            output,
            System.Text.Json.JsonSerializer.Serialize(expected));
        Assert.Equal("ok", check.Trim());

        // At the nominal 30 fps from frame 0 at time 0 the late windows are many frames off.
        Assert.True(Math.Abs((long)Math.Floor(times[^1] * Fps) - expected[^1][0]) > 5);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Sync_VideoWithoutContrast_RefusesInOneLine()
    {
        double[] led = LedOnsets(seed: 3);
        string nidq = WriteNidq(led);
        double[] frames = FrameReferenceTimes();
        string video = WriteVideo(frames, k => (byte)(100 + (k % 2)), flat: true);

        var (code, stdout, stderr) = CliRunner.Run("sync", "--ephys", nidq, "--video", video, "--video-led", $"ephys:{LedLine}");

        Assert.Equal(1, code);
        Assert.Empty(stdout);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(NoPulse(), line);
    }

    [Fact]
    public void Export_LedAndStrobeTogether_IsAUsageError()
    {
        var (code, _, stderr) = CliRunner.Run(
            "--ephys", "a.bin", "--video", "v.avi", "--video-led", "ephys:3", "--video-sync", "ephys:1", "--times", "1", "--out", "o.h5");

        Assert.Equal(2, code);
        Assert.Contains("options --video-led and --video-sync: give one way to place video on the reference clock", stderr, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^neuro-align: error: video \(.*camera\.avi\): no LED pulse visible in the mean intensity over the whole frame: its 5th and 95th percentiles are 100\.00 and 101\.00 gray levels, a contrast of 1\.00, expected at least 4; give the LED's region with --video-led-roi X,Y,W,H$")]
    private static partial Regex NoPulse();

    /// <summary>Irregular LED onsets on the reference clock, 0.4–1 s apart, each on for 0.15 s.</summary>
    private static double[] LedOnsets(int seed)
    {
        var random = new Random(seed);
        var onsets = new List<double>();
        for (double t = 0.7; t < Seconds - 1.5; t += 0.4 + (0.6 * random.NextDouble()))
        {
            onsets.Add(t);
        }

        return [.. onsets];
    }

    private static bool LedOn(double[] onsets, double t)
    {
        int i = Array.FindLastIndex(onsets, o => o <= t);
        return i >= 0 && t < onsets[i] + 0.15;
    }

    /// <summary>The reference time of each frame: exposure k at k / 30 s on the camera's clock, until 59 s.</summary>
    private static double[] FrameReferenceTimes() =>
        [.. Enumerable.Range(0, (int)((Seconds - 1 - Camera.StartSeconds) * Fps)).Select(k => Camera.ReferenceOf(k / Fps))];

    /// <summary>A NIDQ (the reference) recording the LED's drive on line <see cref="LedLine"/>.</summary>
    private string WriteNidq(double[] onsets)
    {
        string path = _folder.File("run_g0_t0.nidq.bin");
        SyntheticSync.WriteRecording(path, 2, NidqRateHz, (long)(Seconds * NidqRateHz), new DeviceClock(0, 0), [(LedLine, SyntheticSync.Pulses(onsets, 0.15))]);
        SyntheticSpikeGlxMeta.WriteNidq(path, NidqRateHz, syncLine: null);
        return path;
    }

    /// <summary>
    /// A lossless 32x24 gray video at 30 fps (frame k at k / 30 s on its own clock): a dim textured
    /// background, and in the region 4,4,6,5 the LED at <paramref name="ledLevel"/>(k); <paramref name="flat"/>:
    /// every pixel at that level.
    /// </summary>
    private string WriteVideo(double[] frames, Func<int, byte> ledLevel, bool flat = false)
    {
        string raw = _folder.File("frames.gray");
        var bytes = new byte[frames.Length * Width * Height];
        for (int k = 0; k < frames.Length; k++)
        {
            for (int y = 0; y < Height; y++)
            {
                for (int x = 0; x < Width; x++)
                {
                    bool inLed = x is >= 4 and < 10 && y is >= 4 and < 9;
                    bytes[(((k * Height) + y) * Width) + x] = inLed || flat ? ledLevel(k) : (byte)(20 + ((x + y) % 5));
                }
            }
        }

        File.WriteAllBytes(raw, bytes);
        string video = _folder.File("camera.avi");
        Ffmpeg.Run("-f", "rawvideo", "-pix_fmt", "gray", "-s", $"{Width}x{Height}", "-r", "30", "-i", raw, "-c:v", "ffv1", "-pix_fmt", "gray", video);
        return video;
    }
}
