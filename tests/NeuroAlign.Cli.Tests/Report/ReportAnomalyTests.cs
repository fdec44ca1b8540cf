using System.Globalization;
using NeuroAlign.TestData;
using SkiaSharp;

namespace NeuroAlign.Cli.Tests.Report;

/// <summary>
/// The report's anomalies at their times (issue 23): a video's repeated frames on the timeline and a
/// fit's unmatched pulses on the residual plot, each against a synthetic truth, in the export (read by
/// h5py) and in the picture.
/// </summary>
public partial class ReportTests
{
    private static readonly SKColor MarkBlack = new(0, 0, 0);
    private static readonly SKColor UnmatchedOrange = new(0xE6, 0x9F, 0x00);
    private static readonly SKColor UnmatchedGreen = new(0x00, 0x9E, 0x73);

    private static double[] Doubles(string text) =>
        [.. text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture))];

    [RequiresFact(Needs.Ffmpeg | Needs.Python)]
    public void Report_VideoWithRepeatedFrames_KeptInTheExportAndMarkedOnTheTimeline()
    {
        // 60 frames at 30 fps from t = 0; the camera's log repeats frames 20 and 41: each written
        // again 4 ms after the one before (an eighth of the interval), the frames after on time.
        using var folder = new TempFolder();
        const double interval = 1 / 30.0;
        long[] repeats = [20, 41];
        double[] times = [.. Enumerable.Range(0, 60).Select(k => repeats.Contains(k) ? ((k - 1) * interval) + 0.004 : k * interval)];
        string video = Video.IndexPatternVideo.Write(folder.File("camera.avi"), times.Length, "30", new Video.FrameSize(16, 12));
        string log = folder.File("camera_times.txt");
        File.WriteAllLines(log, times.Select(t => t.ToString("R", CultureInfo.InvariantCulture)));
        string output = folder.File("o.h5");
        var (code, _, stderr) = CliRunner.Run("--video", video, "--video-timestamps", log, "--time", "1.5", "--before", "0.1", "--after", "0.1", "--out", output, "--report");
        Assert.True(code == 0, stderr);

        // The export, as h5py reads it: the frames, their times (the video is the reference: its own clock), the count.
        string[] stored = Python.Run(
            """
            import sys, h5py
            g = h5py.File(sys.argv[1], 'r')['video']
            print(' '.join(str(int(k)) for k in g['repeated_frames'][:]))
            print(' '.join(repr(float(t)) for t in g['repeated_frame_times_s'][:]))
            print(int(g.attrs['frames_repeated']))
            """,
            output).Split('\n');
        Assert.Equal(repeats, stored[0].Split(' ').Select(v => long.Parse(v, CultureInfo.InvariantCulture)));
        double[] at = Doubles(stored[1]);
        Assert.Equal(repeats.Length, at.Length);
        for (int i = 0; i < at.Length; i++)
        {
            Assert.Equal(times[repeats[i]], at[i], 1e-12);
        }

        Assert.Equal("2", stored[2].Trim());

        // The timeline: a black diamond on the video's row at each repeat, none at an ordinary frame.
        string page = File.ReadAllText(folder.File("o.report.html"));
        Assert.Contains("video: frames repeated: 2", page, StringComparison.Ordinal);
        PageFigure timeline = Figures(page)["timeline"];
        using SKBitmap image = timeline.Decode();
        const double row = 0; // the only stream's row (the windows' row is above it)
        foreach (long k in repeats)
        {
            Assert.True(ColourNear(image, timeline.PixelX(times[k]), timeline.PixelY(row), MarkBlack, 2), $"repeated frame {k} not marked at x {timeline.PixelX(times[k]):F0}");
        }

        Assert.False(ColourNear(image, timeline.PixelX(times[30]), timeline.PixelY(row), MarkBlack, 2), "a mark at frame 30, which is not repeated");
    }

    [RequiresFact(Needs.Python)]
    public void Report_UnmatchedPulses_KeptInTheExportAndMarkedAtTheirTimes()
    {
        // Probe 1's copy of the sync wave loses the pulse rising at edge 7 and gains a 0.1 s one at 13.0 s
        // (between the wave's pulses, 0.25 s from the nearest rising edge: farther than the match tolerance).
        LineSignal wave = SyntheticSync.SquareWave(SyncSessionFiles.SyncPeriodSeconds, 0.5, 0.25);
        double Edge(int k) => 0.25 + (k * SyncSessionFiles.SyncPeriodSeconds);
        const double extra = 13.0;
        LineSignal probe1 = t => (wave(t) && !(t >= Edge(7) && t < Edge(7) + 0.5)) || (t >= extra && t < extra + 0.1);
        using var session = new SyncSessionFiles(probe1Sync: probe1);
        string output = session.File("o.h5");
        var (code, _, stderr) = CliRunner.Run(
            "--ephys", session.Probe0Path, "--ephys", session.Probe1Path, "--times", SyncSessionFiles.Join(session.SafeTimes(3)), "--after", "0.002", "--out", output, "--report");
        Assert.True(code == 0, stderr);

        string[] stored = Python.Run(
            """
            import sys, h5py
            g = h5py.File(sys.argv[1], 'r')['sync/ephys_1']
            print(' '.join(repr(float(t)) for t in g['unmatched_stream_pulse_time_s'][:]))
            print(' '.join(repr(float(t)) for t in g['unmatched_reference_pulse_time_s'][:]))
            print(int(g.attrs['pulses_unmatched']), repr(float(g.attrs['tolerance_s'])))
            """,
            output).Split('\n');

        // Truth: the reference (probe 0, its clock the world's) sees edge 7 at its first sample at or after
        // it; probe 1 sees the extra pulse at its first sample at or after 13.0 s, which the fit maps back
        // to the world's time within its tolerance.
        double referenceTruth = SyntheticSync.FirstSampleAtOrAfter(SyncSessionFiles.Probe0, SyncSessionFiles.ImecRateHz, Edge(7)) / SyncSessionFiles.ImecRateHz;
        long probeSample = SyntheticSync.FirstSampleAtOrAfter(SyncSessionFiles.Probe1, SyncSessionFiles.ImecRateHz, extra);
        double streamTruth = SyncSessionFiles.Probe1.ReferenceOf(probeSample / SyncSessionFiles.ImecRateHz);
        double[] stream = Doubles(stored[0]), reference = Doubles(stored[1]);
        string[] counts = stored[2].Split(' ');
        double tolerance = double.Parse(counts[1], CultureInfo.InvariantCulture);
        Assert.Equal("2", counts[0]);
        Assert.Single(stream);
        Assert.True(Math.Abs(stream[0] - streamTruth) <= tolerance, $"stream's unmatched pulse at {stream[0]} s, truth {streamTruth} s");
        Assert.Equal([referenceTruth], reference);

        // The residual plot: ▲ orange (the stream's) and ▼ green (the reference's) along the bottom at their times.
        PageFigure figure = Figures(File.ReadAllText(session.File("o.report.html")))["sync-ephys_1-residuals"];
        using SKBitmap image = figure.Decode();
        double y = figure.PixelY(-0.88 * figure.Y1);
        Assert.True(ColourNear(image, figure.PixelX(streamTruth), y, UnmatchedOrange, 2), $"no mark for the stream's unmatched pulse at x {figure.PixelX(streamTruth):F0}");
        Assert.True(ColourNear(image, figure.PixelX(referenceTruth), y, UnmatchedGreen, 2), $"no mark for the reference's unmatched pulse at x {figure.PixelX(referenceTruth):F0}");
        Assert.False(ColourNear(image, figure.PixelX(Edge(10)), y, UnmatchedOrange, 2), "a mark at edge 10, which is matched");
        Assert.False(ColourNear(image, figure.PixelX(Edge(10)), y, UnmatchedGreen, 2), "a mark at edge 10, which is matched");
    }
}
