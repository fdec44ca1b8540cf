using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// More NWB types as sources (issue 20, second part), end to end through the command line and read
/// back with h5py: behaviour series as tables, external videos, electrode locations, 3-D pose, and
/// what info says of Units.
/// </summary>
public sealed class NwbSourcesTests : IDisposable
{
    private const string UnitsScript =
        """
        import sys, uuid, numpy as np, h5py
        def typed(o, t, ns='core'):
            o.attrs['neurodata_type'] = t; o.attrs['namespace'] = ns; o.attrs['object_id'] = str(uuid.uuid4()); return o
        with h5py.File(sys.argv[1], 'w') as f:
            f.attrs['nwb_version'] = '2.7.0'; typed(f, 'NWBFile')
            u = typed(f.create_group('units'), 'Units')
            u.attrs['colnames'] = ['spike_times']
            u.create_dataset('spike_times', data=np.array([0.0]))
            u.create_dataset('spike_times_index', data=np.array([1], dtype=np.uint8))
            u.create_dataset('id', data=np.array([7], dtype=np.int64))
        """;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [RequiresFact(Needs.SharedData | Needs.Python)]
    public void Info_NwbUnits_ShowsSpikeCountAndSpanNotARate()
    {
        // One spike at 0 s: the clock of distinct spike times has one time, whose "mean rate" was NaN.
        string one = _folder.File("one.nwb");
        Python.Run(UnitsScript, one);
        var (code, stdout, stderr) = CliRunner.Run("info", one + "#units");
        Assert.True(code == 0, stderr);
        Assert.DoesNotContain("NaN", stdout, StringComparison.Ordinal);
        Assert.Contains("rate:          none (spike times in seconds): 1 spikes from 0 s to 0 s", stdout, StringComparison.Ordinal);

        // The real pynapple file: 21354 spikes, first 0.028133 s and last 1087.352833 s (SOURCES.md).
        (code, stdout, stderr) = CliRunner.Run("info", RepoPaths.Shared("nwb", "A8604-211122.nwb") + "#units");
        Assert.True(code == 0, stderr);
        Assert.Contains("rate:          none (spike times in seconds): 21354 spikes from 0.028133 s to 1087.352833 s", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(" Hz", stdout.Split('\n').First(l => l.Contains("rate:", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [RequiresFact(Needs.Python)]
    public void Export_NwbElectricalSeries_ChannelLocationsFromTheElectrodesTable()
    {
        string nwb = _folder.File("s.nwb");
        SyntheticNwb.Write(nwb, samples: 2000);
        var (code, _, stderr) = CliRunner.Run("export", "--ephys", nwb + "#ElectricalSeriesAP", "--times", "0.5", "--after", "0.01", "--out", _folder.File("all.h5"));
        Assert.True(code == 0, stderr);
        (code, _, stderr) = CliRunner.Run("export", "--ephys", nwb + "#ElectricalSeriesAP", "--channels", "111,104,105,100", "--times", "0.5", "--after", "0.01", "--out", _folder.File("some.h5"));
        Assert.True(code == 0, stderr);

        Python.Run(
            """
            import sys, h5py
            s = h5py.File(sys.argv[3], 'r')
            el = s['general/extracellular_ephys/electrodes']
            loc, ids = [x.decode() for x in el['location'][:]], list(el['id'][:])
            rows = s['acquisition/ElectricalSeriesAP/electrodes'][:]
            for out in sys.argv[1:3]:
                e = h5py.File(out, 'r')['ephys']
                got = [x.decode() for x in e['channel_locations'][:]]
                want = [loc[ids.index(i)] for i in e['channel_ids'][:]]
                assert got == want, (out, got, want)
            assert [x.decode() for x in h5py.File(sys.argv[1], 'r')['ephys/channel_locations'][:]] == [loc[r] for r in rows]
            assert list(h5py.File(sys.argv[2], 'r')['ephys/channel_ids'][:]) == [111, 104, 105, 100]
            """,
            _folder.File("all.h5"), _folder.File("some.h5"), nwb);
    }
}
