using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// BIDS physio through the command line: the real ds210 cardiac/respiratory file (no header; its
/// columns from the inherited JSON) follows its run's clock, checked against numpy reading the
/// TSV and JSON; alone it starts at StartTime; a sidecar without SamplingFrequency is one line.
/// </summary>
public class PhysioCommandTests
{
    /// <summary>ds210 copied with a synthetic echo-1 BOLD run of 204 volumes (612 s at its inherited TR of 3 s) and a 700 s ephys reference at 1 kHz.</summary>
    private static (string Physio, string Bold, string Ephys) Session(TempFolder folder)
    {
        string root = Path.Combine(folder.Path, "ds210");
        foreach (string file in Directory.GetFiles(RepoPaths.Shared("bids", "ds210"), "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(root, Path.GetRelativePath(RepoPaths.Shared("bids", "ds210"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        string func = Path.Combine(root, "sub-01", "func");
        string bold = Path.Combine(func, "sub-01_task-rest_run-01_echo-1_bold.nii.gz");
        string ephys = folder.File("ref.dat");
        Python.Run(
            """
            import sys, numpy as np, nibabel as nib
            img = nib.Nifti1Image(np.arange(2 * 2 * 46 * 204, dtype=np.float32).reshape(2, 2, 46, 204), np.eye(4))
            img.header.set_xyzt_units('mm', 'sec'); img.header['pixdim'][4] = 3.0
            nib.save(img, sys.argv[1])
            np.arange(700_000, dtype=np.int64).astype(np.int16).tofile(sys.argv[2])
            """,
            bold,
            ephys);
        return (Path.Combine(func, "sub-01_task-rest_run-01_physio.tsv.gz"), bold, ephys);
    }

    [RequiresFact(Needs.Python | Needs.SharedData)]
    public void Export_Ds210Physio_LandsAtStartTimeOnItsRunsClock()
    {
        using var folder = new TempFolder();
        var (physio, bold, ephys) = Session(folder);
        string onRun = folder.File("run.h5"), shifted = folder.File("shifted.h5"), alone = folder.File("alone.h5");
        string sidecar = folder.File("physio.json");
        File.WriteAllText(sidecar, """{"SamplingFrequency": 50, "StartTime": -1.5, "Columns": ["cardiac", "respiratory"]}""");
        string boldSidecar = folder.File("bold.json");
        File.WriteAllText(boldSidecar, "{\"VolumeTiming\": [" + string.Join(", ", Enumerable.Range(0, 204).Select(k => (0.5 + (3.0 * k)).ToString(System.Globalization.CultureInfo.InvariantCulture))) + "], \"FrameAcquisitionDuration\": 2.0}");
        string[] common = ["--ephys", ephys, "--ephys-channels", "1", "--ephys-rate", "1000", "--fmri", bold, "--offset", "fmri=12.5", "--fmri-cache", folder.File("cache")];

        // The real file: StartTime 0, so sample k is at the run's first volume + k / 50 s.
        var a = CliRunner.Run([.. common, "--physio", physio, "--times", "20,100.013,624.5", "--after", "2", "--out", onRun]);

        // StartTime -1.5 and a run whose own clock puts volume 0 at 0.5 s (VolumeTiming): still onset + StartTime.
        var b = CliRunner.Run([.. common, "--fmri-sidecar", boldSidecar, "--physio", physio, "--physio-sidecar", sidecar, "--times", "11,300", "--after", "1", "--mode", "physio=nearest", "--out", shifted]);

        // Alone, physio leads and time zero is its run's first volume: sample 0 at StartTime.
        var c = CliRunner.Run("--physio", physio, "--physio-sidecar", sidecar, "--fmri-cache", folder.File("cache"), "--times", "-1.5,0", "--after", "0.1", "--out", alone);

        Assert.True(a.Code == 0, a.Error);
        Assert.True(b.Code == 0, b.Error);
        Assert.True(c.Code == 0, c.Error);
        string check = Python.Run(
            """
            import sys, json, gzip, h5py, numpy as np
            physio, side = sys.argv[1], json.load(open(sys.argv[2]))
            x = np.loadtxt(gzip.open(physio, 'rt'), delimiter='\t')
            assert x.shape == (30600, 2)
            def expect(path, zero, start, mode):
                f = h5py.File(path, 'r')
                g = f['physio']
                assert list(g['columns'].asstr()[:]) == side['Columns']
                t = g['timestamps'][:]
                pos = (t - zero - start) * 50
                k = np.floor(pos + 1e-9).astype(np.int64) if mode == 'previous' else np.floor(pos + 0.5 - 1e-9).astype(np.int64)
                k[(pos < -1e-9) | (k >= 30600)] = -1
                si = g['source_index'][:]
                assert np.array_equal(si, k), (si[:, :3], k[:, :3])
                d = g['data'][:]
                assert d.dtype == np.float32 and d.shape == t.shape + (2,)
                inside = si >= 0
                assert np.array_equal(d[inside], x[si[inside]].astype(np.float32))
                assert (d[~inside] == 0).all()
                assert np.allclose(g['source_time'][:][inside], zero + start + si[inside] / 50, rtol=0, atol=1e-9)
                return f
            f = expect(sys.argv[3], 12.5, side['StartTime'], 'previous')
            assert f['physio'].attrs['clock_stream'] == 'fmri' and (f['physio/source_index'][2] == -1).sum() > 0
            # volume 0 of the fMRI run and physio sample 0 share a reference time: the run's first volume onset.
            assert abs(f['fmri/source_time'][0][0] - (12.5 + 3 * np.floor((20 - 12.5) / 3))) < 1e-9
            expect(sys.argv[4], 12.5, -1.5, 'nearest')
            f = expect(sys.argv[5], 0.0, -1.5, 'previous')
            assert f['physio/source_index'][0][0] == 0 and f['physio/source_index'][1][0] == 75
            print('ok')
            """,
            physio,
            RepoPaths.Shared("bids", "ds210", "sub-01", "sub-01_task-rest_physio.json"),
            onRun,
            shifted,
            alone);
        Assert.Equal("ok", check.Trim());
    }

    [RequiresFact(Needs.Python | Needs.SharedData)]
    public void Info_Ds210Physio_ColumnsRateAndTimeSpan()
    {
        using var folder = new TempFolder();
        var (code, stdout, stderr) = CliRunner.Run("info", RepoPaths.Shared("bids", "ds210", "sub-01", "func", "sub-01_task-rest_run-01_physio.tsv.gz"), "--fmri-cache", folder.File("cache"));

        Assert.True(code == 0, stderr);
        Assert.Contains("columns:", stdout);
        Assert.Contains("cardiac, respiratory", stdout);
        Assert.Contains("30600", stdout);
        Assert.Contains("612.000000 s", stdout);
        Assert.Contains("50 Hz", stdout);
    }

    [RequiresFact(Needs.SharedData)]
    public void Export_PhysioWithoutSamplingFrequency_OneLineNothingWritten()
    {
        using var folder = new TempFolder();
        string sidecar = folder.File("physio.json");
        File.WriteAllText(sidecar, """{"StartTime": 0, "Columns": ["cardiac", "respiratory"]}""");
        string output = folder.File("o.h5");

        var (code, _, stderr) = CliRunner.Run(
            "--physio", RepoPaths.Shared("bids", "ds210", "sub-01", "func", "sub-01_task-rest_run-01_physio.tsv.gz"), "--physio-sidecar", sidecar, "--time", "1", "--out", output);

        Assert.Equal(1, code);
        Assert.Contains("SamplingFrequency", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.False(File.Exists(output));
    }
}
