using System.Globalization;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// NIDQ and NI-DAQ analog channels end to end (issue 21 items 2, 4): --units physical writes them in
/// volts (checked against numpy applying SpikeGLX's formula to the .meta's fields, and Open Ephys's
/// bit_volts to the real NI-DAQ stream); --events-from on a photodiode channel gives windows at the
/// true threshold crossings; a width rule splits pulses of two widths on one line.
/// </summary>
public class AnalogChannelsCliTests
{
    private const double Period = 1 / SyntheticNidq.RateHz;

    private static double[] WindowTimes(string output) =>
        [.. Python.Run(
            """
            import sys, h5py
            print(' '.join(repr(t) for t in h5py.File(sys.argv[1], 'r')['windows/time'][:]))
            """,
            output).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(t => double.Parse(t, CultureInfo.InvariantCulture))];

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Export_NidqPhotodiodeUnitsPhysical_WindowsAtTheCrossingsAndVoltsAsSpikeGlxDefinesThem()
    {
        using var folder = new TempFolder();
        var nidq = new SyntheticNidq(folder.Path, firstSample: 123_456);
        string output = folder.File("o.h5");

        var (code, stdout, stderr) = CliRunner.Run(
            "--ephys", nidq.BinPath, "--events-from", "ephys:XA0>2.5V", "--units", "physical", "--before", "0.001", "--after", "0.002", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("window times: the 5 rising edges of ephys channel XA0 > 2.5 V (re-armed below 2.25 V)", stdout, StringComparison.Ordinal);

        // The reference is the NIDQ itself: time zero is its first sample, so a crossing at t s into the file is at t.
        double[] truth = [.. SyntheticNidq.CleanCrossings().Select(c => c.Up).Append(SyntheticNidq.SlowFirstCrossing())];
        double[] times = WindowTimes(output);
        Assert.Equal(truth.Length, times.Length);
        for (int i = 0; i < truth.Length; i++)
        {
            Assert.True(Math.Abs(times[i] - truth[i]) < Period, $"window {i}: {times[i]:R} s, true crossing {truth[i]:R} s (one sample is {Period:R} s)");
        }

        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            meta = dict(l.split('=', 1) for l in open(sys.argv[1][:-4] + '.meta').read().splitlines())
            x = np.fromfile(sys.argv[1], dtype='<i2').reshape(-1, int(meta['nSavedChans']))
            rng, maxint = float(meta['niAiRangeMax']), float(meta['niMaxInt'])
            # SpikeGLX's readSGLX: V = int * niAiRangeMax / niMaxInt / gain, gain niMNGain for MN, niMAGain for MA, 1 for XA.
            volts = x[:, :3] * rng / maxint / np.array([float(meta['niMNGain']), float(meta['niMAGain']), 1.0])
            f = h5py.File(sys.argv[2], 'r')
            e = f['ephys']
            assert e.attrs['units'] == 'physical', e.attrs['units']
            assert [u.decode() if isinstance(u, bytes) else u for u in e['channel_units'][:]] == ['V', 'V', 'V', 'counts']
            assert e['data'].dtype == np.float32
            idx = e['source_index'][:]
            d = e['data'][:]
            inside = idx >= 0
            assert inside.sum() > 100
            assert np.allclose(d[..., :3][inside], volts[idx[inside]].astype(np.float32), rtol=1e-6, atol=0)
            assert np.array_equal(d[..., 3][inside], x[idx[inside], 3].astype(np.float32))
            print('ok')
            """,
            nidq.BinPath,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Export_WidthRules_PulsesOfTwoWidthsOnOneLineAreTwoKindsOfEvent()
    {
        using var folder = new TempFolder();
        var nidq = new SyntheticNidq(folder.Path);

        var shortRun = CliRunner.Run("--ephys", nidq.BinPath, "--events-from", "ephys:3:width=10ms±2ms", "--out", folder.File("short.h5"));
        var longRun = CliRunner.Run("--ephys", nidq.BinPath, "--events-from", "ephys:3:falling:width=30ms+-2ms", "--out", folder.File("long.h5"));

        Assert.True(shortRun.Code == 0, shortRun.Error);
        Assert.True(longRun.Code == 0, longRun.Error);
        Assert.Contains("the 4 rising edges of ephys XD0 word (column 3) line 3 of pulses with width 10 ms ± 2 ms", shortRun.Out, StringComparison.Ordinal);
        double[] starts = SyntheticNidq.WidthPulseStarts;
        double[] shortTimes = WindowTimes(folder.File("short.h5"));
        double[] longEnds = WindowTimes(folder.File("long.h5"));
        Assert.Equal(4, shortTimes.Length);
        Assert.Equal(4, longEnds.Length);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(Math.Abs(shortTimes[i] - starts[2 * i]) <= Period, $"short pulse {i}: {shortTimes[i]:R} s, starts {starts[2 * i]:R} s");
            double end = starts[(2 * i) + 1] + SyntheticNidq.LongWidth;
            Assert.True(Math.Abs(longEnds[i] - end) <= Period, $"long pulse {i}: ends at {longEnds[i]:R} s, expected {end:R} s");
        }
    }

    [Fact]
    public void Export_BadAnalogOrWidthRules_OneLineEach()
    {
        using var folder = new TempFolder();
        var nidq = new SyntheticNidq(folder.Path);

        var none = CliRunner.Run("--ephys", nidq.BinPath, "--events-from", "ephys:3:width=100ms±5ms", "--out", folder.File("a.h5"));
        var missing = CliRunner.Run("--ephys", nidq.BinPath, "--events-from", "ephys:XA7>1V", "--out", folder.File("b.h5"));
        var word = CliRunner.Run("--ephys", nidq.BinPath, "--events-from", "ephys:XD0>1V", "--out", folder.File("c.h5"));
        var never = CliRunner.Run("--ephys", nidq.BinPath, "--events-from", "ephys:XA0>4.9V", "--out", folder.File("d.h5"));
        var unit = CliRunner.Run("--ephys", nidq.BinPath, "--events-from", "ephys:XA0>2.5", "--out", folder.File("e.h5"));

        ExportCommandTests.AssertOneLineError(none.Code, none.Error, "--events-from ephys:3:width=100ms±5ms", "no pulse has width 100 ms ± 5 ms: its pulses are 4 × 10 ms, 4 × 30 ms");
        Assert.Equal(1, none.Code);
        ExportCommandTests.AssertOneLineError(missing.Code, missing.Error, "has no channel 'XA7' (channels MN0, MA0, XA0, XD0)");
        Assert.Equal(2, missing.Code);
        ExportCommandTests.AssertOneLineError(word.Code, word.Error, "XD0 is a digital word", "lines 0-7");
        ExportCommandTests.AssertOneLineError(never.Code, never.Error, "the signal stays below the level throughout its 50000 samples");
        ExportCommandTests.AssertOneLineError(unit.Code, unit.Error, "with a voltage unit");
        Assert.Equal(2, unit.Code);
        Assert.Empty(Directory.GetFiles(folder.Path, "*.h5"));
    }

    /// <summary>
    /// Sync pulses from an analog channel: a NIDQ whose XA0 carries the sync wave as light (1 ms ramps)
    /// tied to a NIDQ recording the same wave on XD line 0. Both sample the same instants, so the only
    /// offset is the ramp's delay to 2.5 V (0.575 ms): the fit must find it, far below one sample
    /// (40 µs), which only interpolated crossings can.
    /// </summary>
    [Fact]
    public void Sync_AnalogSyncLine_FitsTheRampDelayAtTheInterpolatedCrossings()
    {
        using var folder = new TempFolder();
        var digital = new SyntheticNidq(folder.Path);
        var analog = new SyntheticNidq(folder.Path, syncOnXa: true, name: "light_g0_t0.nidq.bin");

        var (code, stdout, stderr) = CliRunner.Run(
            "sync", "--ephys", digital.BinPath, "--ephys", analog.BinPath, "--sync-line", "ephys=0,ephys_1=XA0>2.5V");

        Assert.True(code == 0, stderr);
        string fit = stdout.Split('\n').First(l => l.TrimStart().StartsWith("linear,", StringComparison.Ordinal));
        Assert.Contains("pulses: ephys_1 channel XA0 > 2.5 V (re-armed below 2.25 V), rising edges", stdout, StringComparison.Ordinal);
        var offset = System.Text.RegularExpressions.Regex.Match(fit, @"offset (-?[0-9.]+) s");
        Assert.True(offset.Success, fit);
        double seconds = double.Parse(offset.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(Math.Abs(seconds + SyntheticNidq.AnalogSyncDelay) < 2e-6, $"{fit}: expected offset {-SyntheticNidq.AnalogSyncDelay:R} s");

        var bad = CliRunner.Run("sync", "--ephys", digital.BinPath, "--ephys", analog.BinPath, "--sync-line", "ephys=0,ephys_1=XA0>9V");
        ExportCommandTests.AssertOneLineError(bad.Code, bad.Error, "ephys_1 channel XA0 > 9 V", "stays below the level");
    }

    [Fact]
    public void Info_Nidq_ShowsEachKindsGainAndVolts()
    {
        using var folder = new TempFolder();
        var nidq = new SyntheticNidq(folder.Path);

        var (code, stdout, stderr) = CliRunner.Run("info", nidq.BinPath);

        Assert.True(code == 0, stderr);
        Assert.Contains("(gain 200; in volts: 7.629394531E-07 V per count)", stdout, StringComparison.Ordinal);
        Assert.Contains("(gain 2; in volts: 7.629394531E-05 V per count)", stdout, StringComparison.Ordinal);
        Assert.Contains("(gain 1; in volts: 0.0001525878906 V per count)", stdout, StringComparison.Ordinal);
        Assert.Contains("niMNGain 200", stdout, StringComparison.Ordinal);
        Assert.Contains("natural units:   3 V (MN0, MA0, XA0), 1 counts (XD0)", stdout, StringComparison.Ordinal);
    }

    /// <summary>The real NI-DAQ stream of the Open Ephys Record Node (SOURCES.md: AI0..AI7, bit_volts 0.000305185 with empty units): volts.</summary>
    [Slow]
    [RequiresFact(Needs.SharedData | Needs.Python)]
    public void Export_RealOpenEphysNiDaqUnitsPhysical_Volts()
    {
        using var folder = new TempFolder();
        string node = RepoPaths.Shared("openephys_sync", "v0.6.x_neuropixels_multiexp_multistream", "Record Node 101");
        string output = folder.File("o.h5");

        var (code, _, stderr) = CliRunner.Run(
            "--ephys", node, "--ephys-stream", "PXIe-6341", "--units", "physical", "--time", "0", "--after", "0.003", "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, json, h5py, numpy as np
            rec = sys.argv[1] + '/experiment1/recording1'
            info = [s for s in json.load(open(rec + '/structure.oebin'))['continuous'] if s['folder_name'].startswith('NI-DAQ')][0]
            x = np.fromfile(rec + '/continuous/' + info['folder_name'] + 'continuous.dat', dtype='<i2').reshape(-1, info['num_channels'])
            bv = np.array([c['bit_volts'] for c in info['channels']])
            assert np.allclose(bv, 0.0003051850944757462)
            e = h5py.File(sys.argv[2], 'r')['ephys']
            assert [u.decode() if isinstance(u, bytes) else u for u in e['channel_units'][:]] == ['V'] * 8
            idx = e['source_index'][0]
            d = e['data'][0]
            assert (idx >= 0).all() and len(idx) == 90
            assert np.allclose(d, (x[idx] * bv).astype(np.float32), rtol=1e-6, atol=0)
            assert np.allclose(e['gain_to_uV'][:], bv * 1e6, rtol=1e-12)
            print('ok')
            """,
            node,
            output);
        Assert.Equal("ok", check.Trim());
    }
}
