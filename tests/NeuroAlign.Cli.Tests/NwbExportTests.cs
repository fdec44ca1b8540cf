using System.Globalization;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// NWB files as sources (issue 20), end to end through the command line and read back with h5py:
/// the real files of ../shared/data/nwb and NWB files h5py writes from a raw binary.
/// </summary>
public sealed class NwbExportTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [RequiresFact(Needs.Python)]
    public void Export_ChunkedGzipElectricalSeriesWithTimestamps_SameWindowsAsTheRawBinary()
    {
        string nwb = _folder.File("s.nwb");
        SyntheticNwb.Write(nwb);
        string raw = Path.ChangeExtension(nwb, ".bin");
        string times = "0.05,0.5,2.2495,5.2,5.4999";
        var (code, _, stderr) = CliRunner.Run("export", "--ephys", nwb + "#acquisition/ElectricalSeriesAP", "--times", times, "--before", "0.1", "--after", "0.5", "--out", _folder.File("n.h5"));
        Assert.True(code == 0, stderr);
        (code, _, stderr) = CliRunner.Run("export", "--ephys", raw, "--ephys-channels", "12", "--ephys-rate", "2000", "--times", times, "--before", "0.1", "--after", "0.5", "--out", _folder.File("r.h5"));
        Assert.True(code == 0, stderr);
        (code, _, stderr) = CliRunner.Run("export", "--ephys", nwb + "#ElectricalSeriesAP", "--units", "uV", "--times", times, "--after", "0.25", "--out", _folder.File("u.h5"));
        Assert.True(code == 0, stderr);

        Python.Run(
            """
            import sys, h5py, numpy as np
            n, r, u = (h5py.File(p, 'r')['ephys'] for p in sys.argv[1:4])
            assert np.array_equal(n['data'][:], r['data'][:])
            assert np.array_equal(n['source_index'][:], r['source_index'][:])
            assert np.array_equal(n['timestamps'][:], r['timestamps'][:])
            assert list(n['channel_ids'][:]) == list(range(111, 99, -1)), n['channel_ids'][:]
            assert np.array_equal(n['channel_positions_um'][0], [48, 100]), n['channel_positions_um'][:2]
            s = h5py.File(sys.argv[4], 'r')['acquisition/ElectricalSeriesAP']
            gain = s['data'].attrs['conversion'] * s['channel_conversion'][:].astype(np.float64) * 1e6
            assert np.allclose(n['gain_to_uV'][:], gain, rtol=1e-12)
            idx = u['source_index'][:]
            data = s['data'][:]
            for w in range(idx.shape[0]):
                inside = idx[w] >= 0
                want = (data[idx[w][inside]] * gain).astype(np.float32)
                assert np.array_equal(u['data'][w][inside], want), w
            """,
            _folder.File("n.h5"), _folder.File("r.h5"), _folder.File("u.h5"), nwb);
    }

    [RequiresFact(Needs.SharedData | Needs.Python)]
    public void Export_RealPynappleUnitsAtEpochs_SpikeListsEqualTheRaggedArrays()
    {
        string nwb = RepoPaths.Shared("nwb", "A8604-211122.nwb");
        string output = _folder.File("spikes.h5");
        var (code, _, stderr) = CliRunner.Run("export", "--spikes", nwb + "#units", "--events", nwb + "#intervals/epochs", "--before", "0", "--after", "1088", "--rate", "spikes=10", "--out", output);
        Assert.True(code == 0, stderr);

        Python.Run(
            """
            import sys, h5py, numpy as np
            o, u = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')['units']
            s = o['spikes']
            assert list(s['unit_ids'][:]) == [6, 191, 206]
            assert o['windows/time'][:].tolist() == [0.0]
            assert [t.decode() for t in o['windows/tags'][:]] == ['wake']
            assert o['windows/stop_time'][:].tolist() == [1087.5289]
            times, units = s['spike_times'][:], s['spike_units'][:]
            ids = s['unit_ids'][:]
            t, idx, start = u['spike_times'][:], u['spike_times_index'][:], 0
            for i, end in zip(u['id'][:], idx):
                got = np.sort(times[ids[units] == i])
                assert np.array_equal(got, t[start:end]), (i, got[:3], t[start:start + 3])
                start = int(end)
            """,
            output, nwb);
    }

    [RequiresFact(Needs.Python)]
    public void Export_TrialsOfAnNwbFile_WindowsAtStartTimeWithTheirColumns()
    {
        string nwb = _folder.File("t.nwb");
        SyntheticNwb.Write(nwb);
        string output = _folder.File("trials.h5");
        var (code, _, stderr) = CliRunner.Run("export", "--ephys", nwb + "#ElectricalSeriesAP", "--spikes", nwb + "#units", "--events", nwb + "#trials", "--event-filter", "trial_type=go", "--after", "0.25", "--out", output);
        Assert.True(code == 0, stderr);

        Python.Run(
            """
            import sys, h5py, numpy as np
            o = h5py.File(sys.argv[1], 'r')
            assert o['windows/time'][:].tolist() == [0.5, 2.25, 3.0]
            assert [t.decode() for t in o['windows/tags'][:]] == ['a', 'c,d', 'e']
            # The NWB ephys leads: NWB time 0.5 is its sample 1000 (timestamps k / 2000).
            assert o['ephys/source_index'][:, 0].tolist() == [1000, 4500, 6000]
            assert o['spikes'].attrs['clock_stream'] == 'ephys', dict(o['spikes'].attrs)
            u = h5py.File(sys.argv[2], 'r')['units']
            t, idx = u['spike_times'][:], u['spike_times_index'][:]
            ids, s = list(u['id'][:]), o['spikes']
            start = [0] + list(idx[:-1])
            off = s['window_offsets'][:]
            for w, t0 in enumerate([0.5, 2.25, 3.0]):
                # Spike times are reference times: NWB seconds here, exactly the file's.
                st, un = s['spike_times'][off[w]:off[w + 1]], s['unit_ids'][:][s['spike_units'][off[w]:off[w + 1]]]
                want = sorted((float(x), int(i)) for k, i in enumerate(ids) if i != 5 for x in t[start[k]:idx[k]] if t0 <= x < t0 + 0.25)
                assert sorted(zip(st.tolist(), un.tolist())) == want, (w, st, want)
            """,
            output, nwb);
    }

    [RequiresFact(Needs.SharedData | Needs.Python)]
    public void Export_RealDlc2NwbPose_EqualsH5py_AndWarnsOfFrameNumbers()
    {
        string nwb = RepoPaths.Shared("nwb", "m3v1mp4DLC_resnet50_openfieldAug20shuffle1_30000.nwb");
        string output = _folder.File("pose.h5");
        var (code, _, stderr) = CliRunner.Run("export", "--pose", nwb + "#processing/behavior/PoseEstimation", "--times", "2,100.5", "--after", "5", "--out", output);
        Assert.True(code == 0, stderr);
        Assert.Contains("frame numbers", stderr, StringComparison.Ordinal);

        Python.Run(
            """
            import sys, h5py, numpy as np
            o, g = h5py.File(sys.argv[1], 'r')['pose'], h5py.File(sys.argv[2], 'r')['processing/behavior/PoseEstimation']
            names = [b.decode() for b in o['bodyparts'][:]]
            data, idx = o['data'][:], o['source_index'][:]
            assert idx[0].tolist() == [2, 3, 4, 5, 6] and idx[1].tolist() == [100, 101, 102, 103, 104], idx
            for k, name in enumerate(names):
                want = g[name]['data'][:].astype(np.float32)
                conf = g[name]['confidence'][:].astype(np.float32)
                assert np.array_equal(data[:, :, 0, k, :2], want[idx]), name
                assert np.array_equal(data[:, :, 0, k, 2], conf[idx]), name
            """,
            output, nwb);
    }

    [RequiresFact(Needs.SharedData)]
    public void Info_NwbFile_ListsObjectsWithTypesAndAddresses_AndBadAddressIsOneLine()
    {
        string nwb = RepoPaths.Shared("nwb", "m3v1mp4DLC_resnet50_openfieldAug20shuffle1_30000.nwb");
        var (code, stdout, stderr) = CliRunner.Run("info", nwb);
        Assert.True(code == 0, stderr);
        Assert.Contains("processing/behavior/PoseEstimation: PoseEstimation (ndx-pose)", stdout, StringComparison.Ordinal);
        Assert.Contains("PoseEstimationSeries (ndx-pose) (read as SpatialSeries); data (2330, 2) float64 pixels, 2330 timestamps 0 to 2329 s", stdout, StringComparison.Ordinal);
        Assert.Contains("ndx-pose 0.1.0", stdout, StringComparison.Ordinal);

        (code, _, stderr) = CliRunner.Run("export", "--pose", nwb + "#PoseEstimatio", "--time", "1", "--out", _folder.File("x.h5"));
        Assert.Equal(1, code);
        Assert.Contains("nearest: processing/behavior/PoseEstimation", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(_folder.File("x.h5")));
    }

    [RequiresFact(Needs.Python)]
    public void Export_NwbPlacedOnARawRecordingBySharedTtlPulses_NwbTimePlusTheLag()
    {
        // A raw recording saw the NWB file's TTL rises 40 ms later on its own clock (its pulse list;
        // less than half the pulses' spacing, as any shared-pulse match needs from the prior);
        // the NWB series is placed by the same pulses read from the file (#TTL: its rising edges).
        string nwb = _folder.File("p.nwb");
        SyntheticNwb.Write(nwb);
        string raw = _folder.File("daq.bin");
        File.WriteAllBytes(raw, new byte[2 * 2 * 2000 * 7]);
        string pulses = _folder.File("daq_pulses.txt");
        File.WriteAllLines(pulses, Enumerable.Range(0, 10).Select(i => (SyntheticNwb.TtlTime((4 * i) + 1) + 0.04).ToString("R", CultureInfo.InvariantCulture)));
        string output = _folder.File("sync.h5");
        var (code, stdout, stderr) = CliRunner.Run(
            "export", "--ephys", $"daq={raw}", "--ephys-channels", "2", "--ephys-rate", "2000",
            "--ephys", $"nwb={nwb}#ElectricalSeriesAP", "--sync-line", $"daq={pulses}", "--sync-line", $"nwb={nwb}#TTL",
            "--times", "1.3,2.8", "--after", "0.01", "--out", output);
        Assert.True(code == 0, stderr + stdout);

        Python.Run(
            """
            import sys, h5py, numpy as np
            o = h5py.File(sys.argv[1], 'r')
            # Reference time 1.3 s is NWB time 1.26 s: sample 2520 of the series (timestamps k / 2000).
            assert o['nwb/source_index'][:, 0].tolist() == [2520, 5520], o['nwb/source_index'][:, 0]
            assert abs(o['sync/nwb'].attrs['offset_s'] - 0.04) < 1e-9, dict(o['sync/nwb'].attrs)
            """, output);
    }
}
