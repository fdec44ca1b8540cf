using System.Text.Json;
using NeuroAlign.Cli.ScaleOut;
using NeuroAlign.Cli.Tests.ScaleOut;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// export --events-from STREAM:LINE[:EDGE] (issue 8): windows at the edges of a digital line, on
/// recordings whose edges are placed at known samples; the times and samples written are read back
/// with h5py and compared with times computed here from the sample indices, the rate and the clocks.
/// </summary>
public class EventsFromLineTests
{
    private const double RateHz = 30_000;
    private const long Samples = 60_000;
    private const int EventBit = 6;
    private const int OtherBit = 1;
    private const int HighSamples = 150;

    /// <summary>Where SY bit 6 goes high: two near the ends, so their windows reach outside the recording.</summary>
    private static readonly long[] Rising = [100, 7_777, 20_001, 33_333, 45_000, 59_800];

    /// <summary>A firstSample far from zero: the reference clock still starts at the file's first sample.</summary>
    private const long FirstSample = 90_123;

    /// <summary>
    /// A 2-second imec AP file (2 channels + SY word, 30 kHz, firstSample <see cref="FirstSample"/>):
    /// SY bit 6 high for <see cref="HighSamples"/> samples from each of <see cref="Rising"/>; bit 1
    /// carries other pulses, which must not show.
    /// </summary>
    private static string WriteProbe(TempFolder folder, string name = "run_g0_t0.imec0.ap.bin")
    {
        string path = folder.File(name);

        // Sample k is taken at k / rate: a pulse starting at that time is high from sample k on.
        LineSignal events = SyntheticSync.Pulses(Rising.Select(k => k / RateHz).ToArray(), (HighSamples - 0.5) / RateHz);
        LineSignal other = SyntheticSync.SquareWave(0.0371, 0.01, 0.003);
        SyntheticSync.WriteRecording(path, 3, RateHz, Samples, new DeviceClock(0, 0), [(EventBit, events), (OtherBit, other)]);
        SyntheticSpikeGlxMeta.WriteImec(path, 2, RateHz, FirstSample);
        return path;
    }

    /// <summary>Reference seconds of sample k of the reference stream: its own time less its first sample's.</summary>
    private static double ReferenceSeconds(long k) => ((FirstSample + k) / RateHz) - (FirstSample / RateHz);

    /// <summary>h5py: /windows/time, the first source_index of each window of <paramref name="modality"/>, and the root's window_source.</summary>
    private static (double[] Times, long[] FirstSamples, string Source) ReadWindows(string output, string modality = "ephys")
    {
        string json = Python.Run(
            """
            import sys, json, h5py
            f = h5py.File(sys.argv[1], 'r')
            print(json.dumps({'times': f['windows/time'][:].tolist(), 'first': f[sys.argv[2] + '/source_index'][:, 0].tolist(), 'source': f.attrs['window_source']}))
            """,
            output,
            modality);
        using JsonDocument doc = JsonDocument.Parse(json);
        JsonElement root = doc.RootElement;
        return (
            root.GetProperty("times").EnumerateArray().Select(e => e.GetDouble()).ToArray(),
            root.GetProperty("first").EnumerateArray().Select(e => e.GetInt64()).ToArray(),
            root.GetProperty("source").GetString()!);
    }

    private static void AssertTimes(IReadOnlyList<double> expected, IReadOnlyList<double> actual, double toleranceSeconds)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= toleranceSeconds, $"window {i}: {actual[i]:R} s, expected {expected[i]:R} s");
        }
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Export_SpikeGlxSyBit_WindowsAtTheRisingEdgesOnTheReferenceClock()
    {
        using var folder = new TempFolder();
        string probe = WriteProbe(folder);
        string output = folder.File("o.h5");

        var (code, stdout, stderr) = CliRunner.Run("--ephys", probe, "--events-from", "ephys:6", "--before", "0.01", "--after", "0.02", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("window times: the 6 rising edges of ephys SY0 word (column 2) line 6", stdout, StringComparison.Ordinal);
        (double[] times, long[] first, string source) = ReadWindows(output);
        AssertTimes(Rising.Select(ReferenceSeconds).ToArray(), times, 1e-9);

        // Each window starts 0.01 s = 300 samples before its edge: the first one reaches before the file.
        Assert.Equal(Rising.Select(k => k >= 300 ? k - 300 : -1).ToArray(), first);
        Assert.Equal("--events-from", source);
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Export_FallingAndBothEdgesWithDropIncomplete_ThoseEdgesAndOnlyWholeWindows()
    {
        using var folder = new TempFolder();
        string probe = WriteProbe(folder);
        long[] falling = Rising.Select(k => k + HighSamples).ToArray();
        long[] both = Rising.Concat(falling).Order().ToArray();

        var fall = CliRunner.Run("--ephys", probe, "--events-from", "ephys:6:falling", "--after", "0.002", "--out", folder.File("falling.h5"));
        var all = CliRunner.Run("--ephys", probe, "--events-from", "ephys:6:both", "--before", "0.005", "--after", "0.005", "--drop-incomplete", "--out", folder.File("both.h5"));

        Assert.True(fall.Code == 0, fall.Error);
        Assert.True(all.Code == 0, all.Error);
        (double[] fallTimes, long[] fallFirst, _) = ReadWindows(folder.File("falling.h5"));
        AssertTimes(falling.Select(ReferenceSeconds).ToArray(), fallTimes, 1e-9);
        Assert.Equal(falling, fallFirst);

        // ±150 samples: the window of the edge at 100 starts before the file, that of 59 950 ends after it
        // (the one at 59 800 ends on the last sample).
        long[] whole = both.Where(k => k >= 150 && k + 150 <= Samples).ToArray();
        Assert.Equal(10, whole.Length);
        (double[] bothTimes, long[] bothFirst, _) = ReadWindows(folder.File("both.h5"));
        AssertTimes(whole.Select(ReferenceSeconds).ToArray(), bothTimes, 1e-9);
        Assert.Equal(whole.Select(k => k - 150).ToArray(), bothFirst);
        Assert.Contains("--drop-incomplete: left out 2 of 12 windows", all.Error, StringComparison.Ordinal);
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Export_LineOfADriftingNidqTiedBySync_WindowsAtTheCorrectedTimes()
    {
        // The NIDQ runs 35 ppm fast and starts 1.1 ms early; its line 2 records the scanner's triggers.
        // Tied to the probe by the shared sync wave, each trigger's edge sample k must land at the
        // reference time the NIDQ took sample k, not at k / 25 kHz.
        using var session = new SyncSessionFiles();
        string output = session.File("o.h5");

        var (code, stdout, stderr) = CliRunner.Run(
            "--ephys", session.Probe0Path, "--ephys", session.NidqPath, "--events-from", "ephys_1:2", "--after", "0.002", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("sync ephys_1: linear", stdout, StringComparison.Ordinal);
        long[] edges = session.Triggers.Select(t => SyntheticSync.FirstSampleAtOrAfter(SyncSessionFiles.Nidq, SyncSessionFiles.NidqRateHz, t)).ToArray();
        double[] truth = edges.Select(k => SyncSessionFiles.Nidq.ReferenceOf(k / SyncSessionFiles.NidqRateHz)).ToArray();
        (double[] times, long[] first, _) = ReadWindows(output, "ephys_1");

        // Within a quarter of a NIDQ sample (10 us) of the truth; uncorrected, the last is 1.6 ms off.
        AssertTimes(truth, times, 0.25 / SyncSessionFiles.NidqRateHz);
        Assert.True(Math.Abs((edges[^1] / SyncSessionFiles.NidqRateHz) - truth[^1]) > 1e-3);

        // Read back on the NIDQ through the same map, each window starts at its edge's sample.
        Assert.Equal(edges, first);
    }

    [Slow]
    [RequiresFact(Needs.SharedData | Needs.Python)]
    public void Export_OpenEphysTtlLines_WindowsAtTheEventSamples()
    {
        // SyntheticOpenEphys's ProbeA TTL events: line 1 on at +10 and +70, off at +40 and +100; line 3
        // off at +55 (it starts high) and on at +200; sample numbers from 123 456, 30 kHz.
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path);

        var one = CliRunner.Run("--ephys", recording, "--events-from", "ephys:1", "--after", "0.0005", "--out", folder.File("one.h5"));
        var three = CliRunner.Run("--ephys", recording, "--events-from", "ephys:3:both", "--after", "0.0005", "--out", folder.File("three.h5"));

        Assert.True(one.Code == 0, one.Error);
        Assert.True(three.Code == 0, three.Error);
        Assert.Contains("window times: the 2 rising edges of ephys TTL", one.Out, StringComparison.Ordinal);
        (double[] oneTimes, long[] oneFirst, _) = ReadWindows(folder.File("one.h5"));
        (double[] threeTimes, long[] threeFirst, _) = ReadWindows(folder.File("three.h5"));
        AssertTimes([10 / SyntheticOpenEphys.ProbeRateHz, 70 / SyntheticOpenEphys.ProbeRateHz], oneTimes, 1e-9);
        Assert.Equal([10L, 70L], oneFirst);
        AssertTimes([55 / SyntheticOpenEphys.ProbeRateHz, 200 / SyntheticOpenEphys.ProbeRateHz], threeTimes, 1e-9);
        Assert.Equal([55L, 200L], threeFirst);
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Export_EventMinWidth_DropsShortPulsesFirst()
    {
        // Bit 1's square wave is high 10 ms of every 37.1 ms; a 12 ms minimum width removes every pulse.
        using var folder = new TempFolder();
        string probe = WriteProbe(folder);
        string output = folder.File("o.h5");

        var kept = CliRunner.Run("--ephys", probe, "--events-from", "ephys:6", "--event-min-width", "0.004", "--out", output);
        var (code, _, stderr) = CliRunner.Run("--ephys", probe, "--events-from", "ephys:1", "--event-min-width", "0.012", "--out", folder.File("none.h5"));

        Assert.True(kept.Code == 0, kept.Error);
        Assert.Equal(Rising.Length, ReadWindows(output).Times.Length);
        ExportCommandTests.AssertOneLineError(
            code, stderr, "option --events-from ephys:1: line 1 of ephys (", "no rising edges in 0..2 s", "all belong to pulses shorter than --event-min-width 0.012 s");
        Assert.False(File.Exists(folder.File("none.h5")));
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Batch_ManifestRowWithEventsFrom_ReplacesTheCommonWindowSource()
    {
        using var folder = new TempFolder();
        string probe = WriteProbe(folder);
        string manifest = folder.File("study.tsv");
        File.WriteAllText(manifest, $"session\tephys\tevents-from\ns01\t{probe}\t\ns02\t{probe}\tephys:6:falling\n");

        var (code, stdout, stderr) = CliRunner.Run("batch", manifest, "--out-dir", folder.File("out"), "--every", "0.5", "--after", "0.002");

        Assert.True(code == 0, stderr);
        Assert.Contains("done: 2 session(s)", stdout, StringComparison.Ordinal);
        Assert.Equal(4, ReadWindows(folder.File("out/s01.h5")).Times.Length);
        (double[] times, long[] first, string source) = ReadWindows(folder.File("out/s02.h5"));
        AssertTimes(Rising.Select(k => ReferenceSeconds(k + HighSamples)).ToArray(), times, 1e-9);
        Assert.Equal(Rising.Select(k => k + HighSamples).ToArray(), first);
        Assert.Equal("--events-from", source);
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void ExportShardsThenMerge_EventsFrom_SameFileAsOneProcess()
    {
        // Each shard finds the edges again and keeps its part of them.
        using var folder = new TempFolder();
        string probe = WriteProbe(folder);
        string[] options = ["--ephys", probe, "--events-from", "ephys:6:both", "--before", "0.001", "--after", "0.003"];
        var single = CliRunner.Run([.. options, "--out", folder.File("single.h5")]);
        var shard0 = CliRunner.Run([.. options, "--shard", "0/2", "--out", folder.File("s0.h5")]);
        var shard1 = CliRunner.Run([.. options, "--shard", "1/2", "--out", folder.File("s1.h5")]);
        Assert.True(single.Code == 0 && shard0.Code == 0 && shard1.Code == 0, single.Error + shard0.Error + shard1.Error);

        var merge = CliRunner.Run("merge", folder.File("merged.h5"), folder.File("s0.h5"), folder.File("s1.h5"));

        Assert.True(merge.Code == 0, merge.Error);
        ScaleOut.ScaleOutFiles.AssertSameDatasets(folder.File("single.h5"), folder.File("merged.h5"));
        Assert.Equal(12, ReadWindows(folder.File("merged.h5")).Times.Length);
    }

    [Fact]
    public void SessionOptions_RowEventsFrom_ReplacesCommonEvery()
    {
        var common = SessionManifestTests.Options(("--every", "1"), ("--after", "0.5"));
        var row = SessionManifestTests.Options(("--ephys", "/a.bin"), ("--events-from", "ephys:6"));

        var options = WorkPlan.SessionOptions(common, row);

        Assert.Equal([("--after", "0.5"), ("--ephys", "/a.bin"), ("--events-from", "ephys:6")], SessionManifestTests.Flags(options));
    }

    [Theory]
    [InlineData("--events-from ephys_2:6", "option --events-from ephys_2:6: no ephys stream 'ephys_2' is loaded (ephys streams: ephys)")]
    [InlineData("--events-from video:1", "option --events-from video:1: no ephys stream 'video' is loaded (ephys streams: ephys)")]
    [InlineData("--events-from ephys:6:up", "option --events-from ephys:6:up: unknown edge 'up': expected rising, falling or both")]
    [InlineData("--events-from ephys:six", "option --events-from ephys:six: line 'six' is not a line number")]
    [InlineData("--events-from ephys", "option --events-from ephys: expected STREAM:LINE[:EDGE][:width=W±T] or STREAM:CHANNEL>LEVEL")]
    [InlineData("--events-from ephys:6 --every 1", "give one source of window times, not --events-from and --every")]
    [InlineData("--events-from ephys:6 --time 1", "give one source of window times, not --time and --events-from")]
    [InlineData("--every 1 --event-min-width 0.001", "option --event-min-width needs --events-from STREAM:LINE")]
    [InlineData("--events-from ephys:6 --event-min-width -1", "--event-min-width")]
    public void Export_BadEventsFromOptions_UsageErrorBeforeAnyFileIsRead(string options, string expected)
    {
        using var folder = new TempFolder();
        string[] args = ["--ephys", folder.File("missing.bin"), .. options.Split(' '), "--out", folder.File("o.h5")];

        var (code, _, stderr) = CliRunner.Run(args);

        ExportCommandTests.AssertOneLineError(code, stderr, expected);
        Assert.Equal(2, code);
        Assert.Empty(folder.FileNames());
    }

    [Fact]
    public void Export_EventsFromWithoutEphys_SaysLinesComeWithEphysStreams()
    {
        using var folder = new TempFolder();

        var (code, _, stderr) = CliRunner.Run("--fmri", folder.File("missing.nii"), "--events-from", "fmri:1", "--out", folder.File("o.h5"));

        ExportCommandTests.AssertOneLineError(code, stderr, "option --events-from fmri:1: 'fmri' is not an ephys stream, and no stream with digital lines is loaded");
        Assert.Empty(folder.FileNames());
    }

    [Fact]
    public void Export_LineThatDoesNotExist_ListsTheLinesAndWritesNothing()
    {
        using var folder = new TempFolder();
        string probe = WriteProbe(folder);

        var (code, _, stderr) = CliRunner.Run("--ephys", probe, "--events-from", "ephys:16", "--out", folder.File("o.h5"));

        ExportCommandTests.AssertOneLineError(code, stderr, $"ephys ({probe}): no digital line 16: SY0 word (column 2): lines 0-5, 6 (sync input), 7-15");
        Assert.Equal(1, code);
        Assert.False(File.Exists(folder.File("o.h5")));
    }

    [Fact]
    public void Export_LineWithoutEdges_NamesLineStreamAndSpan()
    {
        using var folder = new TempFolder();
        string probe = WriteProbe(folder);

        var (code, _, stderr) = CliRunner.Run("--ephys", probe, "--events-from", "ephys:3:falling", "--out", folder.File("o.h5"));

        ExportCommandTests.AssertOneLineError(
            code, stderr, $"option --events-from ephys:3:falling: line 3 of ephys ({probe}): no falling edges in 0..2 s: the line is low throughout its 60000 samples");
        Assert.False(File.Exists(folder.File("o.h5")));
    }

    [Fact]
    public void Export_RawRecordingWithoutDigitalLines_SaysSoAndPointsToEvents()
    {
        using var folder = new TempFolder();
        string raw = folder.File("rec.dat");
        SyntheticEphys.WriteInt16(raw, 3_000, 4);

        var (code, _, stderr) = CliRunner.Run("--ephys", raw, "--ephys-channels", "4", "--events-from", "ephys:0", "--out", folder.File("o.h5"));

        ExportCommandTests.AssertOneLineError(code, stderr, $"ephys ({raw}): no digital lines: a ", "give the event times as a file with --events FILE");
        Assert.False(File.Exists(folder.File("o.h5")));
        Assert.Equal(1, code);
    }
}
