using System.Runtime.InteropServices;
using NeuroAlign.TestData;
using static NeuroAlign.TestData.SyntheticSpikeGlxRun;

namespace NeuroAlign.Cli.Tests;

/// <summary>SpikeGLX runs (--ephys RUN_DIR, --ephys-run) and mtscomp .cbin through the command line.</summary>
public class RigFormatsCliTests
{
    // Three triggers: counter [1000, 1300), [1500, 2000), [2600, 3000) at 30 kHz.
    private static readonly RunFile[] Triggers = [new(0, 0, 1000, 300), new(0, 1, 1500, 500), new(0, 2, 2600, 400)];

    [Slow]
    [RequiresFact(Needs.SharedData | Needs.Python)]
    public void Export_RunFolder_WindowAcrossAGap_HasMinusOneAndZerosExactlyInsideIt()
    {
        using var folder = new TempFolder();
        Write(folder.Path, "rec", Triggers);
        string output = folder.File("o.h5");

        // Time zero is the run's first sample (counter 1000); the window covers counters 1250 to 1549.
        var (code, _, stderr) = CliRunner.Run("--ephys", Path.Combine(folder.Path, "rec_g0"), "--time", (250 / RateHz).ToString("R", System.Globalization.CultureInfo.InvariantCulture), "--after", "0.01", "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            e = f['ephys']
            idx = e['source_index'][0]
            data = e['data'][0]
            counter = 1250 + np.arange(300)
            gap = (counter >= 1300) & (counter < 1500)
            expected = np.where(counter < 1300, counter - 1000, 300 + counter - 1500)
            expected[gap] = -1
            assert np.array_equal(idx, expected), (idx[45:55], idx[245:255])
            assert not data[gap].any()
            assert data[~gap].any()
            assert e.attrs['samples_outside'] == 200, e.attrs['samples_outside']
            print('ok')
            """,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [RequiresFact(Needs.SharedData)]
    public void Info_RunFromOneFile_ShowsGatesTriggersAndGaps()
    {
        using var folder = new TempFolder();
        string[] bins = Write(folder.Path, "rec", Triggers, flat: true);

        var (code, stdout, stderr) = CliRunner.Run("info", bins[0], "--ephys-run");

        Assert.True(code == 0, stderr);
        Assert.Contains("rec imec0.ap: 3 file(s) in 1 gate(s): g0 t0–t2", stdout);
        Assert.Contains("2 gap(s), 800 samples (0.026667 s) in all", stdout);
        Assert.Contains("200 samples (0.006667 s) before g0 t1", stdout);
        Assert.Contains("segmented: 3 segment(s) in 3 stretch(es)", stdout);
    }

    [RequiresFact(Needs.SharedData)]
    public void Export_RunWithATriggerMissing_IsOneLineAndExit1()
    {
        using var folder = new TempFolder();
        string[] bins = Write(folder.Path, "rec", [new(0, 0, 0, 10), new(0, 2, 30, 10)], flat: true);

        var (code, stdout, stderr) = CliRunner.Run("--ephys", bins[0], "--ephys-run", "--time", "0", "--after", "0.0001", "--out", folder.File("o.h5"));

        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("triggers t0 and t2 without t1", stderr);
        Assert.False(File.Exists(folder.File("o.h5")));
        Assert.DoesNotContain("   at ", stdout + stderr);
    }

    [Fact]
    public void EphysRun_OnARawFile_IsASettingError()
    {
        using var folder = new TempFolder();
        SyntheticEphys.WriteInt16(folder.File("x.dat"), 100, 4);

        var (code, _, stderr) = CliRunner.Run("--ephys", folder.File("x.dat"), "--ephys-run", "--ephys-channels", "4", "--time", "0", "--after", "0.001", "--out", folder.File("o.h5"));

        Assert.Equal(2, code);
        Assert.Contains("--ephys-run", stderr);
        Assert.Contains("applies to SpikeGLX recordings only", stderr);
        Assert.False(File.Exists(folder.File("o.h5")));
    }

    [RequiresFact(Needs.SharedData)]
    public void Info_Cbin_ShowsTheChunkingAndCache()
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, RealMeta, baseName: "rec_g0_t0.imec0.ap");
        SyntheticSpikeGlx.WriteBin(folder.File("rec_g0_t0.imec0.ap.bin"), 1000, Channels, SyncColumn);
        short[] data = MemoryMarshal.Cast<byte, short>(File.ReadAllBytes(folder.File("rec_g0_t0.imec0.ap.bin"))).ToArray();
        MtscompWriter.Write(folder.File("rec_g0_t0.imec0.ap.cbin"), folder.File("rec_g0_t0.imec0.ap.ch"), data, Channels, RateHz, chunkSamples: 300);
        File.Delete(folder.File("rec_g0_t0.imec0.ap.bin"));

        var (code, stdout, stderr) = CliRunner.Run("info", folder.File("rec_g0_t0.imec0.ap.cbin"));

        Assert.True(code == 0, stderr);
        Assert.Contains("mtscomp 1.0, zlib of differences along time, chunk order F (channel by channel)", stdout);
        Assert.Contains("4, up to 300 samples (0.01 s) each", stdout);
        Assert.Contains("1000 samples", stdout);
    }
}
