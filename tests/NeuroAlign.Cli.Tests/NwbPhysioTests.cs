using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// NWB as a source of physio (<c>--physio FILE.nwb#ADDRESS</c>, a TimeSeries): end to end through
/// the command line, the windows checked against numpy's reading of the series with h5py.
/// </summary>
public sealed class NwbPhysioTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [RequiresFact(Needs.Python)]
    public void Export_NwbTimeSeriesAsPhysio_EqualsNumpyOnTheGrid_OnTheFileClock()
    {
        string nwb = _folder.File("b.nwb");
        SyntheticNwbBehaviour.Write(nwb);
        string output = _folder.File("physio.h5");
        var (code, _, stderr) = CliRunner.Run(
            "export", "--physio", $"{nwb}#Wheel", "--physio", $"pupil={nwb}#acquisition/Pupil",
            "--rate", "physio=100,pupil=60", "--times", "0.5,3.0,10.9,25", "--before", "0.05", "--after", "0.5", "--out", output);
        Assert.True(code == 0, stderr);

        Python.Run(
            """
            import sys, h5py, numpy as np
            o, f = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')
            def check(name, p, cols):
                g = o[name]
                assert g.attrs['modality'] == 'physio', dict(g.attrs)
                assert [c.decode() for c in g['columns'][:]] == cols, (name, g['columns'][:])
                s = f[p]
                d = s['data'][:]
                d = d.reshape(d.shape[0], -1).astype(np.float64) * s['data'].attrs.get('conversion', 1.0) + s['data'].attrs.get('offset', 0.0)
                r = s['starting_time'].attrs['rate']
                t = s['starting_time'][()] + np.arange(d.shape[0]) / r
                grid = g['timestamps'][:]  # the first stream of the file leads: the file's zero is time zero
                inside = (grid >= t[0] - 1e-9) & (grid < t[0] + d.shape[0] / r - 1e-9)
                k = np.floor((grid - t[0]) * r + 1e-9).astype(np.int64)
                k[~inside] = -1
                si = g['source_index'][:]
                assert np.array_equal(si, k), (name, np.argwhere(si != k)[:3])
                data = g['data'][:]
                assert data.dtype == np.float32 and (data[~inside] == 0).all()
                assert np.array_equal(data[inside], d[si[inside]].astype(np.float32)), name
                return g
            g = check('physio', 'acquisition/Wheel', ['Wheel'])
            assert g.attrs['unit'] == 'radians', dict(g.attrs)
            g = check('pupil', 'acquisition/Pupil', ['Pupil_0', 'Pupil_1', 'Pupil_2', 'Pupil_3'])
            assert g.attrs['clock_stream'] == 'physio', dict(g.attrs)
            assert o['physio/source_index'][0, 0] == -1 and o['physio/source_index'][1, 0] >= 0
            """,
            output, nwb);
    }

    [RequiresFact(Needs.Python)]
    public void Export_NwbSeriesAsPhysio_RuleOnAColumnOfTheSeries_MasksTheRowsNumpyPicks()
    {
        // A physio stream from an NWB TimeSeries offers its columns (named as the output's columns
        // dataset names them) to filter rules, as a BIDS file's sidecar columns are.
        string nwb = _folder.File("f.nwb");
        SyntheticNwbBehaviour.Write(nwb);
        string output = _folder.File("filtered.h5");
        var (code, stdout, stderr) = CliRunner.Run(
            "export", "--physio", $"pupil={nwb}#acquisition/Pupil", "--rate", "pupil=60", "--times", "1,4,9.5",
            "--after", "1", "--filter", "pupil: Pupil_1 > 0.5", "--out", output);
        Assert.True(code == 0, stderr);
        Assert.Contains("pupil: filter pupil: Pupil_1 > 0.5 keeps", stdout, StringComparison.Ordinal);

        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            o, f = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')
            g = o['pupil']
            d = f['acquisition/Pupil/data'][:]
            si = g['source_index'][:]
            inside = si >= 0
            expected = (d[np.where(inside, si, 0), 1] > 0.5) & inside
            expected = np.repeat(expected[..., None], 4, axis=-1)
            m = g['mask'][:]
            assert m.shape == g['data'].shape, (m.shape, g['data'].shape)
            assert np.array_equal(m, expected.astype(np.uint8)), np.argwhere(m != expected)[:5]
            assert 0.2 < expected.mean() < 0.8, expected.mean()
            print('ok')
            """,
            output,
            nwb);
        Assert.Equal("ok", check.Trim());

        (code, _, stderr) = CliRunner.Run(
            "export", "--physio", $"pupil={nwb}#acquisition/Pupil", "--time", "1", "--filter", "pupil: Pupil_9 > 0.5", "--out", _folder.File("none.h5"));
        Assert.Equal(2, code);
        Assert.Contains("Pupil_9", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_folder.File("none.h5")));
    }

    [RequiresFact(Needs.Python)]
    public void Physio_NwbSeries_BidsSettingsAndWrongObjectsAreOneLine()
    {
        string nwb = _folder.File("b.nwb");
        SyntheticNwbBehaviour.Write(nwb);
        string output = _folder.File("x.h5");
        var (code, _, stderr) = CliRunner.Run("export", "--physio", nwb + "#Wheel", "--physio-of", "run1", "--time", "1", "--out", output);
        Assert.Equal(2, code);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--physio-of", stderr, StringComparison.Ordinal);

        (code, _, stderr) = CliRunner.Run("export", "--physio", nwb + "#processing/behavior/Position", "--time", "1", "--out", output);
        Assert.Equal(1, code);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("neurodata_type Position", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }
}
