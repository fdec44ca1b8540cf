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

    [RequiresFact(Needs.Python)]
    public void Export_NwbBehaviourSeriesAsTables_EqualNumpyOnTheGrid_ConversionAndOffsetApplied()
    {
        string nwb = _folder.File("b.nwb");
        SyntheticNwbBehaviour.Write(nwb);
        string output = _folder.File("tables.h5");
        var (code, _, stderr) = CliRunner.Run(
            "export", "--table", $"pos={nwb}#processing/behavior/Position/SpatialSeries", "--table", $"wheel={nwb}#Wheel", "--table", $"pupil={nwb}#Pupil",
            "--rate", "pos=200,wheel=100,pupil=50", "--mode", "pos=linear", "--times", "0.1,10.0,20.9,48", "--before", "0.05", "--after", "0.5", "--out", output);
        Assert.True(code == 0, stderr);

        Python.Run(
            """
            import sys, h5py, numpy as np
            o, f = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')
            def series(p):
                s = f[p]
                d = s['data'][:]
                d = d.reshape(d.shape[0], -1).astype(np.float64) * s['data'].attrs.get('conversion', 1.0) + s['data'].attrs.get('offset', 0.0)
                if 'timestamps' in s:
                    t = s['timestamps'][:]
                    end = t[-1] + (t[-1] - t[-2])
                else:
                    r = s['starting_time'].attrs['rate']
                    t = s['starting_time'][()] + np.arange(d.shape[0]) / r
                    end = t[0] + d.shape[0] / r
                return t, d, end
            def check(name, p, cols, mode):
                g = o[name]
                assert [c.decode() for c in g['columns'][:]] == cols, (name, g['columns'][:])
                t, d, end = series(p)
                grid = g['timestamps'][:]  # NWB time: the first NWB stream leads, its zero is time zero
                inside = (grid >= t[0] - 1e-9) & (grid < end - 1e-9)
                k = np.searchsorted(t, grid + 1e-9, side='right') - 1
                k[~inside] = -1
                si = g['source_index'][:]
                assert np.array_equal(si, k), (name, np.argwhere(si != k)[:3])
                data = g['data'][:]
                assert data.dtype == np.float32 and (data[~inside] == 0).all()
                if mode == 'linear':
                    for c in range(d.shape[1]):
                        want = np.interp(grid[inside], t, d[:, c])
                        assert np.allclose(data[..., c][inside], want, rtol=1e-6, atol=1e-6), (name, c)
                else:
                    assert np.array_equal(data[inside], d[si[inside]].astype(np.float32)), name
                return g
            g = check('pos', 'processing/behavior/Position/SpatialSeries', ['x', 'y'], 'linear')
            assert g.attrs['unit'] == 'meters' and g.attrs['reference_frame'] == 'top left corner of the arena', dict(g.attrs)
            assert g.attrs['time_column'] == 'processing/behavior/Position/SpatialSeries/timestamps'
            g = check('wheel', 'acquisition/Wheel', ['Wheel'], 'previous')
            assert g.attrs['unit'] == 'radians' and g.attrs['clock_stream'] == 'pos', dict(g.attrs)
            check('pupil', 'acquisition/Pupil', ['Pupil_0', 'Pupil_1', 'Pupil_2', 'Pupil_3'], 'previous')
            assert o['pos/source_index'][0, 0] == -1 and o['pos/source_index'][1, 0] >= 0
            """,
            output, nwb);
    }

    [RequiresFact(Needs.Python)]
    public void Table_NwbSeries_InfoDescribesIt_AndBadAddressesAndSettingsAreOneLine()
    {
        string nwb = _folder.File("b.nwb");
        SyntheticNwbBehaviour.Write(nwb);
        var (code, stdout, stderr) = CliRunner.Run("info", nwb + "#SpatialSeries");
        Assert.True(code == 0, stderr);
        Assert.Contains("columns:", stdout, StringComparison.Ordinal);
        Assert.Contains("x, y", stdout, StringComparison.Ordinal);
        Assert.Contains("data × 0.001 + 0.25, in meters", stdout, StringComparison.Ordinal);
        Assert.Contains("top left corner of the arena", stdout, StringComparison.Ordinal);
        (code, stdout, stderr) = CliRunner.Run("info", nwb);
        Assert.True(code == 0, stderr);
        Assert.Contains("[--table b.nwb#processing/behavior/Position/SpatialSeries or --physio b.nwb#processing/behavior/Position/SpatialSeries]", stdout, StringComparison.Ordinal);

        string output = _folder.File("x.h5");
        (code, _, stderr) = CliRunner.Run("export", "--table", nwb + "#processing/behavior/Position", "--time", "1", "--out", output);
        Assert.Equal(1, code);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("neurodata_type Position", stderr, StringComparison.Ordinal);
        (code, _, stderr) = CliRunner.Run("export", "--table", nwb + "#Wheel", "--table-time-column", "t", "--time", "1", "--out", output);
        Assert.Equal(2, code);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(output));
    }

    [RequiresFact(Needs.Python)]
    public void Export_NwbPose3D_XyzAndScoreEqualH5py_AndMixedDimensionsAreOneLine()
    {
        string nwb = _folder.File("p.nwb");
        SyntheticNwbBehaviour.Write(nwb);
        string output = _folder.File("pose3d.h5");
        var (code, _, stderr) = CliRunner.Run("export", "--pose", nwb + "#Pose3D", "--times", "1.9,3,11.95", "--after", "0.2", "--out", output);
        Assert.True(code == 0, stderr);

        Python.Run(
            """
            import sys, h5py, numpy as np
            o, g = h5py.File(sys.argv[1], 'r')['pose'], h5py.File(sys.argv[2], 'r')['processing/behavior/Pose3D']
            assert o.attrs['axes'] == 'window, point, individual, bodypart, (x, y, z, score)' and o.attrs['coordinates'] == 'x, y, z'
            names = [b.decode() for b in o['bodyparts'][:]]
            assert sorted(names) == ['left_ear', 'snout', 'tailbase'] and [i.decode() for i in o['individuals'][:]] == ['Pose3D']
            data, idx = o['data'][:], o['source_index'][:]
            assert data.shape == (3, 6, 1, 3, 4), data.shape
            # 30 Hz from 2.0 s: 1.9 s is before the first frame, 3 s is frame 30, 11.95 s frames 298, 299, then none.
            assert idx[0].tolist() == [-1, -1, -1, 0, 1, 2] and idx[1].tolist() == list(range(30, 36)) and idx[2].tolist() == [298, 299, -1, -1, -1, -1], idx
            inside = idx >= 0
            for k, name in enumerate(names):
                s = g[name]
                want = (s['data'][:].astype(np.float64) * s['data'].attrs['conversion'] + s['data'].attrs.get('offset', 0.0)).astype(np.float32)
                conf = s['confidence'][:].astype(np.float32)
                got = data[:, :, 0, k, :]
                assert np.array_equal(got[inside][:, :3], want[idx[inside]], equal_nan=True), name
                assert np.array_equal(got[inside][:, 3], conf[idx[inside]]), name
                assert (got[~inside] == 0).all()
            """,
            output, nwb);

        (code, _, stderr) = CliRunner.Run("export", "--pose", nwb + "#PoseMixed", "--time", "2.5", "--out", _folder.File("mixed.h5"));
        Assert.Equal(1, code);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("all 2-D or all 3-D", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_folder.File("mixed.h5")));
    }

    [Slow]
    [RequiresFact(Needs.Python | Needs.Ffmpeg)]
    public void Export_NwbImageSeriesWithExternalFile_FramesOfFfmpegAtTheNwbTimes()
    {
        string folder = _folder.File("session");
        Directory.CreateDirectory(Path.Combine(folder, "videos"));
        string video = Path.Combine(folder, "videos", "camera.mp4");
        Ffmpeg.Run("-f", "lavfi", "-i", "testsrc2=size=64x48:rate=25", "-frames:v", $"{SyntheticNwbBehaviour.VideoFrames}", "-c:v", "libx264", "-bf", "2", "-g", "10", "-pix_fmt", "yuv420p", video);
        string nwb = Path.Combine(folder, "s.nwb");
        SyntheticNwbBehaviour.Write(nwb, "videos/camera.mp4");
        File.WriteAllBytes(_folder.File("full.gray"), Ffmpeg.FullDecode(video, "gray"));
        string output = _folder.File("video.h5");

        // The NWB camera leads: windows at NWB times; the table of the same file follows its placement.
        var (code, _, stderr) = CliRunner.Run(
            "export", "--video", $"cam={nwb}#BehavioralVideo", "--video", $"rate={nwb}#VideoByRate", "--table", $"wheel={nwb}#Wheel",
            "--times", "0.9,1.5,2.5", "--after", "0.3", "--rate", "cam=50,rate=50", "--out", output);
        Assert.True(code == 0, stderr);

        Python.Run(
            """
            import sys, h5py, numpy as np
            o, f = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')
            full = np.fromfile(sys.argv[3], dtype=np.uint8).reshape(40, 48, 64)
            for name, t, end in (('cam', f['acquisition/BehavioralVideo/timestamps'][:], None), ('rate', 0.5 + np.arange(40) / 20.0, 0.5 + 40 / 20.0)):
                g = o[name]
                end = t[-1] + (t[-1] - t[-2]) if end is None else end
                grid = g['timestamps'][:]
                assert np.allclose(grid, np.array([0.9, 1.5, 2.5])[:, None] + np.arange(15) / 50.0)
                inside = (grid >= t[0] - 1e-9) & (grid < end - 1e-9)
                k = np.searchsorted(t, grid + 1e-9, side='right') - 1
                k[~inside] = -1
                si = g['source_index'][:]
                assert np.array_equal(si, k), (name, si, k)
                d = g['data'][:]
                assert np.array_equal(d[inside], full[si[inside]]), name
                assert (d[~inside] == 0).all()
                assert g.attrs['clock_stream'] == 'cam' if name == 'rate' else True
            assert o['cam'].attrs['timestamp_source'].endswith('#acquisition/BehavioralVideo/timestamps from frame 0'), o['cam'].attrs['timestamp_source']
            assert o['wheel'].attrs['clock_stream'] == 'cam'
            """,
            output, nwb, _folder.File("full.gray"));

        foreach (var (address, expected) in new[] { ("VideoInTwoFiles", "2 files"), ("VideoMissing", "missing.mp4"), ("FramesInside", "frames stored in the file") })
        {
            string bad = _folder.File(address + ".h5");
            (code, _, stderr) = CliRunner.Run("export", "--video", $"{nwb}#{address}", "--time", "1", "--out", bad);
            Assert.Equal(1, code);
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains(expected, stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(bad));
        }
    }
}
