using System.Globalization;
using System.Text.RegularExpressions;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// Clock synchronisation from the command line (issue 7), on <see cref="SyncSessionFiles"/> whose
/// truth is known: fits are checked against the devices' true clocks, and the exported samples
/// against the samples the truth names (read back with h5py).
/// </summary>
public partial class SyncCommandTests
{
    private static double Figure(string text, string pattern) =>
        double.Parse(Regex.Match(text, pattern).Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public void Sync_ProbesNidqAndScanner_PrintsEachFitAndWritesNothing()
    {
        using var session = new SyncSessionFiles();
        string[] before = Directory.GetFiles(session.Folder);

        var (code, stdout, stderr) = CliRunner.Run(
            "sync", "--ephys", session.Probe0Path, "--ephys", session.Probe1Path, "--ephys", session.NidqPath,
            "--fmri", session.FmriPath, "--fmri-sync", "ephys_2:2");

        Assert.True(code == 0, stderr);
        string[] blocks = stdout.Split("\nephys_", StringSplitOptions.None);
        Assert.StartsWith("reference: ephys (", stdout, StringComparison.Ordinal);

        // Probe 1 runs 20 ppm slow: its second is 20 ppm longer on the reference (drift_ppm +20);
        // the NIDQ runs 35 ppm fast: drift_ppm = (1 / (1 + 35e-6) - 1) · 1e6 ≈ -35.
        Assert.InRange(Figure(blocks[1], @"linear, offset \S+ s, drift ([+-][0-9.]+) ppm"), 19, 21);
        Assert.InRange(Figure(blocks[2], @"linear, offset \S+ s, drift ([+-][0-9.]+) ppm"), -36, -34);
        Assert.Contains("20 pulses matched", blocks[1], StringComparison.Ordinal);
        Assert.Contains("pulses: ephys_1 SY0 word (column 2) line 6, rising edges ↔ ephys SY0 word (column 2) line 6, rising edges", stdout, StringComparison.Ordinal);
        Assert.Contains("pulses: ephys_2 XD0 word (column 1) line 0, rising edges", stdout, StringComparison.Ordinal);
        Assert.Contains("fmri (", stdout, StringComparison.Ordinal);
        Assert.Contains("trigger, offset", stdout, StringComparison.Ordinal);
        Assert.Contains("4 leading and 0 trailing pulses unused", stdout, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFiles(session.Folder));
        Assert.Empty(stderr);
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Export_ProbesNidqAndScanner_WritesSyncFiguresAndPicksTheTrueSamples()
    {
        using var session = new SyncSessionFiles();
        double[] times = session.SafeTimes(6);
        string output = session.File("o.h5");

        var (code, stdout, stderr) = CliRunner.Run(
            "--ephys", session.Probe0Path, "--ephys", session.Probe1Path, "--ephys", session.NidqPath,
            "--fmri", session.FmriPath, "--fmri-sync", "ephys_2:2",
            "--times", SyncSessionFiles.Join(times), "--after", "0.002", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("sync ephys_1: linear", stdout, StringComparison.Ordinal);
        long[][] probe1 = [.. times.Select(t => Enumerable.Range(0, 60).Select(j => SyncSessionFiles.SampleAt(session.Probe1Clock, 30_000, t + (j / 30_000.0))).ToArray())];
        long[][] nidq = [.. times.Select(t => Enumerable.Range(0, 50).Select(j => SyncSessionFiles.SampleAt(SyncSessionFiles.Nidq, 25_000, t + (j / 25_000.0))).ToArray())];
        long[] volumes = [.. times.Select(session.VolumeAt)];
        string check = Python.Run(
            """
            import sys, json, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            truth = json.loads(sys.argv[2])
            assert sorted(f['sync'].keys()) == ['ephys_1', 'ephys_2', 'fmri'], list(f['sync'].keys())
            s1, s2, sf = f['sync/ephys_1'].attrs, f['sync/ephys_2'].attrs, f['sync/fmri'].attrs
            assert s1['method'] == 'linear' and abs(s1['drift_ppm'] - 20) < 1, dict(s1)
            assert s2['method'] == 'linear' and abs(s2['drift_ppm'] + 35) < 1, dict(s2)
            assert s1['pulses_matched'] == 20 and s1['max_residual_s'] <= s1['tolerance_s']
            assert abs(s1['tolerance_s'] - 2.5 / 30000) < 1e-15 and abs(s2['tolerance_s'] - 2.5 / 25000) < 1e-15
            assert s1['reference_stream'] == 'ephys'
            for key in ['method', 'slope', 'offset_s', 'residual_rms_s', 'max_residual_s', 'drift_ppm', 'pulses_matched']:
                assert key in s1 and key in sf, key
            assert sf['method'] == 'trigger' and sf['leading_pulses_skipped'] == 4 and sf['pulses_matched'] == 12
            assert np.array_equal(f['ephys_1/source_index'][:], truth['probe1'])
            assert np.array_equal(f['ephys_2/source_index'][:], truth['nidq'])
            assert np.array_equal(f['fmri/source_index'][:, 0], truth['volumes'])
            # The samples read are the ones named: channel 0 holds the sample index (low 15 bits).
            assert np.array_equal(f['ephys_1/data'][:, :, 0], np.array(truth['probe1']) & 0x7FFF)
            assert np.array_equal(f['fmri/data'][:, 0, 0, 0, 0], np.maximum(truth['volumes'], 0))  # zero outside the run
            assert f['ephys_1/gain_to_uV'].shape == (3,) and list(f['ephys_1/channel_ids'][:]) == [0, 1, 768]
            assert 'ephys' not in f['sync']
            print('ok')
            """,
            output,
            System.Text.Json.JsonSerializer.Serialize(new { probe1, nidq, volumes }));
        Assert.Equal("ok", check.Trim());

        // Without sync (each clock taken at its nominal rate from a common start), the last window is
        // many samples off on probe 1 and the NIDQ.
        double last = times[^1];
        Assert.True(Math.Abs((long)Math.Floor(last * 30_000) - probe1[^1][0]) > 2);
        Assert.True(Math.Abs((long)Math.Floor(last * 25_000) - nidq[^1][0]) > 2);
    }

    [Slow]
    [RequiresFact(Needs.Ffmpeg)]
    public void Export_VideoStrobedOnTheNidq_PicksTheExposedFrameInEveryWindow()
    {
        using var session = new SyncSessionFiles();
        string video = session.WriteVideo();
        double[] times = session.SafeTimes(8);
        string output = session.File("o.h5");

        var (code, stdout, stderr) = CliRunner.Run(
            "--ephys", session.Probe0Path, "--ephys", session.NidqPath, "--video", video, "--video-sync", "ephys_1:1",
            "--times", SyncSessionFiles.Join(times), "--after", "0.2", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("sync video: strobe", stdout, StringComparison.Ordinal);
        Assert.Contains("2 dropped", stdout, StringComparison.Ordinal);
        long[][] frames = [.. times.Select(t => Enumerable.Range(0, 6).Select(j => session.FrameAt(t + (j / 30.0))).ToArray())];
        string check = Python.Run(
            """
            import sys, json, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            frames = np.array(json.loads(sys.argv[2]))
            sv = f['sync/video'].attrs
            assert sv['method'] == 'strobe' and sv['frames_dropped'] == 2 and sv['reference_stream'] == 'ephys'
            # The camera runs 80 ppm fast against its nominal 30 fps (the NIDQ's own drift corrected first).
            assert abs(sv['drift_ppm'] - (1 / (1 + 80e-6) - 1) * 1e6) < 3, sv['drift_ppm']
            assert abs(sv['offset_s'] - 0.4) < 1e-3, sv['offset_s']
            assert np.array_equal(f['video/source_index'][:], frames)
            assert np.array_equal(f['video/data'][:].mean(axis=(2, 3)), frames % 256)
            print('ok')
            """,
            output,
            System.Text.Json.JsonSerializer.Serialize(frames));
        Assert.Equal("ok", check.Trim());

        // At the nominal 30 fps from frame 0 at time 0, the last window shows a frame far from the truth.
        Assert.True(Math.Abs((long)Math.Floor(times[^1] * 30) - frames[^1][0]) > 1);
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Export_OffsetByHand_ShiftsTheRunAndRecordsIt()
    {
        using var session = new SyncSessionFiles();
        string output = session.File("o.h5");

        var (code, _, stderr) = CliRunner.Run(
            "--ephys", session.Probe0Path, "--fmri", session.FmriPath, "--offset", "fmri=2.25", "--time", "5", "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, h5py
            f = h5py.File(sys.argv[1], 'r')
            s = f['sync/fmri'].attrs
            assert s['method'] == 'offset' and s['offset_s'] == 2.25 and s['pulses_matched'] == 0, dict(s)
            # 5 s on the reference is 2.75 s into the run: volume 2 (TR 1 s), which began at 2 + 2.25 s.
            assert f['fmri/source_index'][0, 0] == 2 and f['fmri/source_time'][0, 0] == 4.25
            print('ok')
            """,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [Fact]
    public void Export_TriggerLineWithoutEdges_OneLineErrorAndNothingWritten()
    {
        using var session = new SyncSessionFiles();
        string output = session.File("o.h5");

        var (code, _, stderr) = CliRunner.Run(
            "--ephys", session.Probe0Path, "--ephys", session.NidqPath, "--fmri", session.FmriPath, "--fmri-sync", "ephys_1:5",
            "--time", "5", "--out", output);

        ExportCommandTests.AssertOneLineError(code, stderr, "ephys_1 XD0 word (column 1) line 5, rising edges: no pulses: the line is low throughout its 500000 samples");
        Assert.Equal(1, code);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Export_ProbeWhoseSyncLineCarriesAnotherTrain_OneLineErrorAndNothingWritten()
    {
        var random = new Random(4);
        double[] noise = Enumerable.Range(0, 20).Select(i => i + 0.1 + (random.NextDouble() * 0.8)).ToArray();
        using var session = new SyncSessionFiles(probe1Sync: SyntheticSync.Pulses(noise, 0.1));
        string output = session.File("o.h5");

        var (code, _, stderr) = CliRunner.Run("--ephys", session.Probe0Path, "--ephys", session.Probe1Path, "--time", "5", "--out", output);

        ExportCommandTests.AssertOneLineError(code, stderr, "ephys_1: pulse trains cannot be matched", "20 pulses");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Export_DriftBeyondTheLimit_RefusedWithFiguresUnlessTheLimitIsRaised()
    {
        using var session = new SyncSessionFiles(probe1: new DeviceClock(0, -900));
        string output = session.File("o.h5");
        string[] args = ["--ephys", session.Probe0Path, "--ephys", session.Probe1Path, "--time", "5", "--out", output];

        var (code, _, stderr) = CliRunner.Run(args);
        var (raised, stdout, raisedError) = CliRunner.Run([.. args, "--max-drift-ppm", "1000"]);

        ExportCommandTests.AssertOneLineError(code, stderr, "ephys_1: clock fit refused: drift +90", "ppm is outside ±500 ppm (--max-drift-ppm): slope ", "20 pulses matched");
        Assert.True(raised == 0, raisedError);
        Assert.Contains("drift +900.", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_FewerTriggersThanVolumes_RefusedWithBothCounts()
    {
        using var session = new SyncSessionFiles(triggers: 9);
        string output = session.File("o.h5");

        var (code, _, stderr) = CliRunner.Run(
            "--ephys", session.Probe0Path, "--ephys", session.NidqPath, "--fmri", session.FmriPath, "--fmri-sync", "ephys_1:2",
            "--time", "5", "--out", output);

        ExportCommandTests.AssertOneLineError(code, stderr, "fmri: 12 volumes, 9 pulses (ephys_1 XD0 word (column 1) line 2, rising edges)");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Export_NidqWithoutANamedSyncLine_AsksForItThenUsesIt()
    {
        using var session = new SyncSessionFiles(nidqNamesSyncLine: false);
        string[] args = ["sync", "--ephys", session.Probe0Path, "--ephys", session.NidqPath];

        var (code, _, stderr) = CliRunner.Run(args);
        var (given, stdout, givenError) = CliRunner.Run([.. args, "--nidq-sync-line", "0"]);

        ExportCommandTests.AssertOneLineError(code, stderr, "ephys_1", "no sync line: its .meta names no sync line", "--nidq-sync-line");
        Assert.True(given == 0, givenError);
        Assert.Contains("ephys_1 XD0 word (column 1) line 0, rising edges", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Sync_RawSecondStream_NeedsItsPulseTimesAsAFile()
    {
        using var session = new SyncSessionFiles();
        string raw = session.File("probe1.dat");
        File.Copy(session.Probe1Path, raw);
        string pulses = session.File("probe1_sync.txt");

        // The sync wave's rising edges as probe 1 saw them, in its own seconds (as a lab's own edge
        // extraction would give them).
        File.WriteAllLines(pulses, Enumerable.Range(0, 20).Select(n =>
            (Math.Ceiling((session.Probe1Clock.OwnOf(0.25 + (n * SyncSessionFiles.SyncPeriodSeconds)) * 30_000) - 1e-9) / 30_000).ToString("R", CultureInfo.InvariantCulture)));
        string[] args = ["sync", "--ephys", session.Probe0Path, "--ephys", raw, "--ephys-channels", "3"];

        var (code, _, stderr) = CliRunner.Run(args);
        var (given, stdout, givenError) = CliRunner.Run([.. args, "--sync-line", $"ephys_1={pulses}"]);

        ExportCommandTests.AssertOneLineError(code, stderr, "ephys_1", "no digital lines", $"--sync-line ephys_1=FILE");
        Assert.True(given == 0, givenError);
        Assert.InRange(Figure(stdout, @"linear, offset \S+ s, drift ([+-][0-9.]+) ppm"), 19, 21);
    }

    [RequiresFact(Needs.SharedData)]
    public void Sync_TwoStreamsOfOneOpenEphysRecording_UseTtlLineOneByDefault()
    {
        // One Open Ephys recording (the real structure.oebin): ProbeA at 30 kHz and the OneBox ADC at a
        // nominal 30300.5 Hz whose clock runs 100 ppm fast; both record a 10 Hz sync wave on TTL line 1.
        // One second only (ProbeA has 385 channels): 10 pulses give the drift to tens of ppm.
        using var folder = new TempFolder();
        string recording = SyntheticOpenEphys.Build(folder.Path, probeSamples: 30_000, adcSamples: 30_300, timestamps: false);
        double probeStart = SyntheticOpenEphys.FirstSampleNumber / SyntheticOpenEphys.ProbeRateHz;
        double[] rising = Enumerable.Range(0, 10).Select(n => 0.0123 + (n * 0.1)).ToArray();
        double[] falling = rising.Select(t => t + 0.05).ToArray();
        long ProbeNumber(double t) => SyntheticOpenEphys.FirstSampleNumber + (long)Math.Ceiling((t * SyntheticOpenEphys.ProbeRateHz) - 1e-9);
        long AdcNumber(double t) => (long)Math.Ceiling(((t + probeStart) * (1 + 100e-6) * SyntheticOpenEphys.AdcRateHz) - 1e-9);
        WriteTtl(Path.Combine(recording, "events", SyntheticOpenEphys.ProbeFolder, "TTL"), rising, falling, ProbeNumber);
        WriteTtl(Path.Combine(recording, "events", SyntheticOpenEphys.AdcFolder, "TTL"), rising, falling, AdcNumber);

        var (code, stdout, stderr) = CliRunner.Run(
            "sync", "--ephys", recording, "--ephys", recording, "--ephys-stream", "ephys=ProbeA,ephys_1=OneBox-ADC");

        Assert.True(code == 0, stderr);
        Assert.Contains("line 1, rising edges ↔ ephys TTL", stdout, StringComparison.Ordinal);
        Assert.Contains("10 pulses matched", stdout, StringComparison.Ordinal);
        Assert.InRange(Figure(stdout, @"linear, offset \S+ s, drift ([+-][0-9.]+) ppm"), -100 - 60, -100 + 60);
    }

    private static void WriteTtl(string folder, double[] rising, double[] falling, Func<double, long> sampleNumber)
    {
        Directory.CreateDirectory(folder);
        var events = rising.Select(t => (Number: sampleNumber(t), State: (short)1)).Concat(falling.Select(t => (Number: sampleNumber(t), State: (short)-1)))
            .OrderBy(e => e.Number).ToArray();
        NpyWriter.WriteInt16(Path.Combine(folder, "states.npy"), events.Select(e => e.State).ToArray());
        NpyWriter.WriteInt64(Path.Combine(folder, "sample_numbers.npy"), events.Select(e => e.Number).ToArray());
        NpyWriter.WriteFloat64(Path.Combine(folder, "timestamps.npy"), events.Select(e => (double)e.Number).ToArray());
    }

    [Theory]
    [InlineData("--video-sync ephys:1", "option --video-sync needs --video PATH")]
    [InlineData("--fmri FMRI --fmri-sync ephys_3:1", "option --fmri-sync ephys_3:1: no ephys stream 'ephys_3' is loaded (loaded: ephys)")]
    [InlineData("--offset ephys=0.5", "option --offset: ephys is the reference stream")]
    [InlineData("--offset 0.5", "option --offset: name the stream")]
    [InlineData("--fmri FMRI --fmri-sync ephys:1 --offset fmri=1", "options --offset fmri=… and --fmri-sync: give one way")]
    [InlineData("--fmri FMRI --sync-skip fmri=2", "option --sync-skip fmri=…: needs --fmri-sync")]
    [InlineData("--sync-edge both", "option --sync-edge: unknown edge 'both'")]
    [InlineData("--fmri FMRI --fmri-sync ephys:x", "option --fmri-sync ephys:x: expected STREAM:LINE")]
    public void Export_InconsistentSyncOptions_UsageErrorBeforeAnyFileIsRead(string options, string expected)
    {
        using var folder = new TempFolder();
        string ephys = folder.File("missing.dat");
        string[] args = ["--ephys", ephys, .. options.Replace("FMRI", folder.File("missing.nii"), StringComparison.Ordinal).Split(' '), "--time", "1", "--out", folder.File("o.h5")];

        var (code, _, stderr) = CliRunner.Run(args);

        ExportCommandTests.AssertOneLineError(code, stderr, expected);
        Assert.Equal(2, code);
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Demo_NidqAndVideoAreSynchronisedToTheProbe()
    {
        using var folder = new TempFolder();

        var (code, stdout, stderr) = CliRunner.Run("demo", "--dir", folder.Path);

        Assert.True(code == 0, stderr);
        Assert.Contains("sync ephys_1: linear", stdout, StringComparison.Ordinal);
        long nidqTruth = Samples.DemoSession.NidqSampleAt(2.5);
        string check = Python.Run(
            """
            import sys, h5py
            f = h5py.File(sys.argv[1], 'r')
            s = f['sync/ephys_1'].attrs
            assert s['method'] == 'linear' and abs(s['drift_ppm'] - 50) < 5, dict(s)
            assert f['ephys_1/source_index'][0, 0] == int(sys.argv[2]), f['ephys_1/source_index'][0, 0]
            assert f['ephys_1/data'][0, 0, 0] == int(sys.argv[2]) & 0x7FFF
            assert f['sync/video'].attrs['frames_dropped'] == 1 if 'video' in f else True
            print('ok')
            """,
            Path.Combine(folder.Path, "aligned.h5"),
            nidqTruth.ToString(CultureInfo.InvariantCulture));
        Assert.Equal("ok", check.Trim());

        // The truth differs from what the NIDQ's nominal rate gives: drift correction is at work.
        Assert.Equal(62_493, nidqTruth);
    }
}
