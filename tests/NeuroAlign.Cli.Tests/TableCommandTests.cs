using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// Timestamped tables through the command line: a synthetic wheel with irregular times sampled
/// previous, nearest and linear equals numpy's searchsorted and interp on the same grid; times on
/// another stream's clock take its map; a .npy table; bad tables are one line with nothing written.
/// </summary>
public class TableCommandTests
{
    private static string Reference(TempFolder folder)
    {
        string path = folder.File("ref.dat");
        File.WriteAllBytes(path, new byte[2 * 12_000]); // 12 s at 1 kHz, one int16 channel
        return path;
    }

    private static void WriteWheel(TempFolder folder) => Python.Run(
        """
        import sys, numpy as np
        d = sys.argv[1]
        rng = np.random.default_rng(7)
        t = np.unique(np.round(np.sort(rng.uniform(0.5, 9.5, 400)), 4))
        pos = np.cumsum(rng.normal(size=t.size)).astype(np.float32)
        lick = rng.integers(0, 2, t.size)
        with open(d + '/wheel.csv', 'w') as f:
            f.write('trial,t,position,lick\n')
            for a, b, c in zip(t, pos, lick):
                f.write('go,%r,%r,%d\n' % (float(a), float(b), c))
        np.save(d + '/wheel.npy', np.stack([t, pos, lick], axis=1))
        """,
        folder.Path);

    [RequiresFact(Needs.Python)]
    public void Export_WheelTable_PreviousNearestLinear_EqualNumpyOnTheSameGrid()
    {
        using var folder = new TempFolder();
        string reference = Reference(folder);
        WriteWheel(folder);
        string[] common = ["--ephys", reference, "--ephys-channels", "1", "--ephys-rate", "1000", "--times", "0.2,3.3337,8.9", "--before", "0.1", "--after", "1", "--rate", "wheel=200"];
        foreach (string mode in new[] { "previous", "nearest", "linear" })
        {
            var r = CliRunner.Run([.. common, "--table", $"wheel={folder.File("wheel.csv")}", "--mode", $"wheel={mode}", "--out", folder.File($"{mode}.h5")]);
            Assert.True(r.Code == 0, r.Error);
            Assert.Contains("column trial is left out", r.Error);
        }

        // Times on ephys_1's own clock, which --offset puts 2.5 s after the reference's zero.
        var shifted = CliRunner.Run([.. common, "--ephys", reference, "--offset", "ephys_1=2.5", "--table", $"wheel={folder.File("wheel.csv")}", "--table-clock", "wheel=ephys_1", "--out", folder.File("shifted.h5")]);
        var npy = CliRunner.Run([.. common, "--table", $"wheel={folder.File("wheel.npy")}", "--mode", "wheel=linear", "--out", folder.File("npy.h5")]);

        Assert.True(shifted.Code == 0, shifted.Error);
        Assert.True(npy.Code == 0, npy.Error);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np, pandas as pd
            d = sys.argv[1]
            w = pd.read_csv(d + '/wheel.csv')
            t, x = w['t'].to_numpy(), w[['position', 'lick']].to_numpy().astype(np.float32)
            end = t[-1] + (t[-1] - t[-2])
            def check(name, mode, shift=0.0, cols=['position', 'lick']):
                g = h5py.File(d + '/' + name, 'r')['wheel']
                assert list(g['columns'].asstr()[:]) == cols, list(g['columns'].asstr()[:])
                grid = g['timestamps'][:]
                assert np.allclose(grid[0], 0.1 + np.arange(220) / 200)
                own = grid - shift
                inside = (own >= t[0] - 1e-9) & (own < end - 1e-9)
                k = np.searchsorted(t, own + 1e-9, side='right') - 1
                if mode == 'nearest':
                    up = np.minimum(k + 1, len(t) - 1)
                    k = np.where((k + 1 < len(t)) & (t[up] - own < own - t[np.maximum(k, 0)]) & (np.abs(own - t[np.maximum(k, 0)]) > 1e-9), up, k)
                k[~inside] = -1
                si = g['source_index'][:]
                assert np.array_equal(si, k), (name, np.argwhere(si != k)[:3])
                data = g['data'][:]
                assert data.dtype == np.float32 and (data[~inside] == 0).all()
                if mode == 'linear':
                    for c in range(2):
                        want = np.interp(own[inside], t, x[:, c].astype(np.float64))
                        assert np.allclose(data[..., c][inside], want, rtol=1e-5, atol=1e-5), (name, c)
                else:
                    assert np.array_equal(data[inside], x[si[inside]])
                    assert np.allclose(g['source_time'][:][inside], t[si[inside]] + shift, atol=1e-9)
                return g
            check('previous.h5', 'previous')
            check('nearest.h5', 'nearest')
            check('linear.h5', 'linear')
            g = check('shifted.h5', 'previous', shift=2.5)
            assert g.attrs['clock_stream'] == 'ephys_1'
            check('npy.h5', 'linear', cols=['1', '2'])
            print('ok')
            """,
            folder.Path);
        Assert.Equal("ok", check.Trim());
    }

    [RequiresFact(Needs.Python)]
    public void Merge_ShardsOfATableExport_EqualTheSingleExport()
    {
        using var folder = new TempFolder();
        WriteWheel(folder);
        string[] options = ["--ephys", Reference(folder), "--ephys-channels", "1", "--ephys-rate", "1000", "--table", $"wheel={folder.File("wheel.csv")}", "--every", "1.5", "--after", "0.5", "--mode", "wheel=linear"];
        var single = CliRunner.Run([.. options, "--out", folder.File("single.h5")]);
        Assert.True(single.Code == 0, single.Error);
        for (int i = 0; i < 2; i++)
        {
            var shard = CliRunner.Run([.. options, "--shard", $"{i}/2", "--out", folder.File($"s{i}.h5")]);
            Assert.True(shard.Code == 0, shard.Error);
        }

        var merge = CliRunner.Run("merge", folder.File("merged.h5"), folder.File("s1.h5"), folder.File("s0.h5"));

        Assert.True(merge.Code == 0, merge.Error);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            s, m = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')
            for k in ['data', 'timestamps', 'source_index', 'source_time']:
                assert np.array_equal(s['wheel/' + k][:], m['wheel/' + k][:], equal_nan=True), k
            assert list(m['wheel/columns'].asstr()[:]) == ['position', 'lick']
            print('ok')
            """,
            folder.File("single.h5"),
            folder.File("merged.h5"));
        Assert.Equal("ok", check.Trim());
    }

    [RequiresFact(Needs.Python)]
    public void Info_Table_ColumnsRateAndTimeSpan()
    {
        using var folder = new TempFolder();
        WriteWheel(folder);

        var (code, stdout, stderr) = CliRunner.Run("info", folder.File("wheel.csv"));

        Assert.True(code == 0, stderr);
        Assert.Contains("time column:", stdout);
        Assert.Contains("position, lick", stdout);
        Assert.Contains("time span:", stdout);
        Assert.Contains("rate:", stdout);
    }

    [Theory]
    [InlineData("t,position\n0.1,1\n0.3,2\n0.2,3\n", "line 4, column t: found 0.2 after 0.3 on line 3")]
    [InlineData("t,position\n0.1,1\n0.1,2\n", "line 3, column t: found 0.1 after 0.1 on line 2")]
    [InlineData("t,position\n0.1,1\nn/a,2\n", "line 3, column t: found 'n/a'")]
    [InlineData("when,position\n0.1,1\n", "a time column named one of")]
    [InlineData("t,state\n0.1,go\n", "at least one numeric column")]
    [InlineData("0.1,1\n0.2,2\n", "a header naming the columns")]
    public void Export_BadTable_OneLineNothingWritten(string text, string message)
    {
        using var folder = new TempFolder();
        string table = folder.File("bad.csv");
        File.WriteAllText(table, text);
        string output = folder.File("o.h5");

        var (code, _, stderr) = CliRunner.Run("--ephys", Reference(folder), "--ephys-channels", "1", "--ephys-rate", "1000", "--table", table, "--time", "1", "--out", output);

        Assert.Equal(1, code);
        Assert.Contains(message, stderr);
        Assert.Contains("bad.csv", stderr);

        // One error line (a text column left out on the way is a warning of its own).
        Assert.Single(stderr.Trim().Split('\n'), l => !l.StartsWith("neuro-align: warning:", StringComparison.Ordinal));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Export_TableClockNotLoaded_UsageErrorNothingWritten()
    {
        using var folder = new TempFolder();
        string table = folder.File("w.csv");
        File.WriteAllText(table, "t,position\n0.1,1\n0.2,2\n");
        string output = folder.File("o.h5");

        var (code, _, stderr) = CliRunner.Run("--ephys", Reference(folder), "--ephys-channels", "1", "--ephys-rate", "1000", "--table", table, "--table-clock", "cam", "--time", "1", "--out", output);

        Assert.Equal(2, code);
        Assert.Contains("--table-clock", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.False(File.Exists(output));
    }
}
