using System.Globalization;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// Filter rules on physio and table columns through the command line: the real ds210 physio file
/// with a rule on its cardiac and respiratory columns, two named tables each with its own rule,
/// read back with h5py and checked against numpy/pandas reading the inputs; a modality scope that
/// is ambiguous and a column the file lacks are one message with nothing written.
/// </summary>
public class ColumnFilterCommandTests
{
    private static string Ds210Physio => RepoPaths.Shared("bids", "ds210", "sub-01", "func", "sub-01_task-rest_run-01_physio.tsv.gz");

    [RequiresFact(Needs.Python | Needs.SharedData)]
    public void Export_Ds210Physio_RuleOnItsColumns_MaskEqualsNumpyOnTheTsv()
    {
        using var folder = new TempFolder();
        string output = folder.File("o.h5");

        // Alone, physio leads: time zero is its run's first volume. The last window runs past the file's 612 s.
        var (code, stdout, stderr) = CliRunner.Run(
            "--physio", Ds210Physio, "--fmri-cache", folder.File("cache"), "--times", "10,300.01,611", "--after", "2",
            "--filter", "physio: cardiac > 0 and respiratory < -2500 or signal > 1500", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("physio: filter physio: cardiac > 0 and respiratory < -2500 or signal > 1500 keeps", stdout);
        string check = Python.Run(
            """
            import sys, gzip, h5py, numpy as np
            x = np.loadtxt(gzip.open(sys.argv[1], 'rt'), delimiter='\t')
            f = h5py.File(sys.argv[2], 'r')
            g = f['physio']
            assert list(g['columns'].asstr()[:]) == ['cardiac', 'respiratory']
            si = g['source_index'][:]
            inside = si >= 0
            rows = x[np.where(inside, si, 0)].astype(np.float32).astype(np.float64)
            cardiac, respiratory = rows[..., 0], rows[..., 1]
            expected = ((cardiac > 0) & (respiratory < -2500))[..., None] | (rows > 1500)
            expected &= inside[..., None]
            m = g['mask'][:]
            assert m.shape == g['data'].shape and m.dtype == np.uint8
            assert np.array_equal(m, expected.astype(np.uint8)), np.argwhere(m != expected)[:5]
            assert np.array_equal(g['kept_fraction'][:], expected.mean(axis=(1, 2)))
            assert (~inside).any() and 0.02 < expected.mean() < 0.9, expected.mean()
            assert g.attrs['filter'] == 'physio: cardiac > 0 and respiratory < -2500 or signal > 1500'
            print('ok')
            """,
            Ds210Physio,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [RequiresFact(Needs.Python | Needs.SharedData)]
    public void Info_Ds210Physio_RuleOnAColumn_ReportsTheKeptFractionOfTheWholeFile()
    {
        using var folder = new TempFolder();

        var (code, stdout, stderr) = CliRunner.Run("info", "--filter", "physio: cardiac > 0", "--fmri-cache", folder.File("cache"), Ds210Physio);

        Assert.True(code == 0, stderr);
        string expected = Python.Run(
            """
            import sys, gzip, numpy as np
            x = np.loadtxt(gzip.open(sys.argv[1], 'rt'), delimiter='\t')
            print(int((x[:, 0] > 0).sum()) * 2, x.size)
            """,
            Ds210Physio).Trim();
        string[] counts = expected.Split(' ');
        Assert.Contains($"filter: physio: cardiac > 0 keeps", stdout);
        Assert.Contains($"({counts[0]} of {counts[1]};", stdout);
    }

    private static (string Wheel, string Licks) WriteTables(TempFolder folder)
    {
        Python.Run(
            """
            import sys, numpy as np
            d = sys.argv[1]
            rng = np.random.default_rng(16)
            t = np.unique(np.round(np.sort(rng.uniform(0.2, 9.8, 500)), 4))
            with open(d + '/wheel.csv', 'w') as f:
                f.write('time,position,speed\n')
                for a, b, c in zip(t, rng.uniform(-1, 1, t.size), rng.uniform(0, 4, t.size)):
                    f.write('%r,%r,%r\n' % (float(a), float(b), float(c)))
            t = np.unique(np.round(np.sort(rng.uniform(0.2, 9.8, 300)), 4))
            with open(d + '/licks.tsv', 'w') as f:
                f.write('timestamp\tlick\tpressure\n')
                for a, b, c in zip(t, rng.integers(0, 2, t.size), rng.uniform(0, 10, t.size)):
                    f.write('%r\t%d\t%r\n' % (float(a), b, float(c)))
            """,
            folder.Path);
        return (folder.File("wheel.csv"), folder.File("licks.tsv"));
    }

    [RequiresFact(Needs.Python)]
    public void Export_TwoNamedTables_EachRuleOnItsOwnColumns_MasksEqualPandas()
    {
        using var folder = new TempFolder();
        var (wheel, licks) = WriteTables(folder);
        string output = folder.File("o.h5");

        var (code, stdout, stderr) = CliRunner.Run(
            "--table", $"wheel={wheel}", "--table", $"licks={licks}", "--times", "1,4.25,8", "--before", "0.2", "--after", "1", "--rate", "wheel=100,licks=50",
            "--filter", "wheel: position > 0.3 and speed < 3", "--filter", "licks: lick == 1 or pressure > 8", "--filter", "table: t >= 1 s", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("wheel: filter", stdout);
        Assert.Contains("licks: filter", stdout);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np, pandas as pd
            f = h5py.File(sys.argv[3], 'r')
            def expect(name, path, sep, time, rule):
                df = pd.read_csv(path, sep=sep)
                t = df[time].to_numpy(np.float64)
                g = f[name]
                columns = list(g['columns'].asstr()[:])
                rows = df[columns].to_numpy(np.float32).astype(np.float64)
                ts = g['timestamps'][:]
                k = np.searchsorted(t, ts, side='right') - 1
                assert (k >= 0).all()
                assert np.array_equal(g['source_index'][:], k)
                v = {c: rows[k][..., i] for i, c in enumerate(columns)}
                expected = np.broadcast_to((rule(v) & (ts >= 1))[..., None], g['data'].shape)
                m = g['mask'][:]
                assert np.array_equal(m, expected.astype(np.uint8)), (name, np.argwhere(m != expected)[:5])
                assert 0.05 < expected.mean() < 0.95, (name, expected.mean())
                return g.attrs['filter']
            a = expect('wheel', sys.argv[1], ',', 'time', lambda v: (v['position'] > 0.3) & (v['speed'] < 3))
            b = expect('licks', sys.argv[2], '\t', 'timestamp', lambda v: (v['lick'] == 1) | (v['pressure'] > 8))
            assert a == '(wheel: position > 0.3 and speed < 3) AND (table: t >= 1 s)', a
            assert b == '(licks: lick == 1 or pressure > 8) AND (table: t >= 1 s)', b
            print('ok')
            """,
            wheel,
            licks,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [RequiresFact(Needs.Python)]
    public void Info_TwoTables_TableScopeJudgesEachFileOnItsOwnColumns()
    {
        using var folder = new TempFolder();
        var (wheel, licks) = WriteTables(folder);

        var (code, stdout, stderr) = CliRunner.Run("info", "--filter", "table: signal > 0.5 and t < 5 s", wheel, licks);
        var (position, _, _) = CliRunner.Run("info", "--filter", "table: position > 0.3", wheel);

        Assert.True(code == 0, stderr);
        Assert.Equal(0, position);
        string[] expected = Python.Run(
            """
            import sys, numpy as np, pandas as pd
            for path, sep, time in ((sys.argv[1], ',', 'time'), (sys.argv[2], '	', 'timestamp')):
                df = pd.read_csv(path, sep=sep)
                v = df.drop(columns=[time]).to_numpy(np.float32).astype(np.float64)
                t = df[time].to_numpy() - df[time].to_numpy()[0]
                print(int(((v > 0.5) & (t < 5)[:, None]).sum()), v.size)
            """,
            wheel,
            licks).Trim().Split('\n');
        string[] kept = [.. stdout.Split('\n').Where(l => l.Contains("filter: table: signal > 0.5 and t < 5 s keeps", StringComparison.Ordinal))];
        Assert.Equal(2, kept.Length);
        for (int i = 0; i < 2; i++)
        {
            string[] counts = expected[i].Split(' ');
            Assert.Contains($"({counts[0]} of {counts[1]};", kept[i]);
        }
    }

    [RequiresFact(Needs.Python)]
    public void Export_ColumnsThatAreNoIdentifiers_NamedInBackticks_MaskEqualsPandasQuery()
    {
        // Column names as labs write them: a space, a dash, a unit's name. pandas' query() names them in backticks too.
        using var folder = new TempFolder();
        string pupil = folder.File("pupil.csv");
        File.WriteAllText(pupil, "time,pupil diameter,lick-rate,mV\n" + string.Concat(Enumerable.Range(0, 1000).Select(k =>
            string.Create(CultureInfo.InvariantCulture, $"{k / 100.0},{2 + Math.Sin(k / 37.0)},{k % 7},{(k % 11) - 5}\n"))));
        string output = folder.File("o.h5");
        const string Rule = "pupil: `pupil diameter` > 2.5 and (`lick-rate` >= 3 or `mV` < 0)";

        var (code, _, stderr) = CliRunner.Run("--table", $"pupil={pupil}", "--times", "1,4.25,8", "--after", "1", "--rate", "pupil=100", "--filter", Rule, "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np, pandas as pd
            df = pd.read_csv(sys.argv[1])
            g = h5py.File(sys.argv[2], 'r')['pupil']
            keep = df.eval("`pupil diameter` > 2.5 and (`lick-rate` >= 3 or `mV` < 0)").to_numpy()
            # The row at or before each grid time, with the clocks' 1e-9 s tolerance (1 + 0.36 is 1.3599999999999999, row 136's time 1.36).
            k = np.searchsorted(df['time'].to_numpy(), g['timestamps'][:] + 1e-9, side='right') - 1
            assert np.array_equal(g['source_index'][:], k)
            # pandas judges the float64 values, ours the float32 ones the export holds: no value here sits at a float32 rounding of 2.5.
            expected = np.broadcast_to(keep[k][..., None], g['data'].shape)
            assert np.array_equal(g['mask'][:], expected.astype(np.uint8)), np.argwhere(g['mask'][:] != expected)[:5]
            assert 0.05 < expected.mean() < 0.95, expected.mean()
            print('ok')
            """,
            pupil,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [RequiresFact(Needs.Python)]
    public void Export_ColumnNamedSignal_InBackticks_MaskEqualsPandas_BareNameRefused()
    {
        // A fiber-photometry table: its "signal" column is not the table's signal (every column's value).
        using var folder = new TempFolder();
        string photometry = folder.File("photometry.csv");
        File.WriteAllText(photometry, "time,signal,isosbestic\n" + string.Concat(Enumerable.Range(0, 1000).Select(k =>
            string.Create(CultureInfo.InvariantCulture, $"{k / 100.0},{Math.Sin(k / 23.0)},{0.5 + (0.1 * Math.Cos(k / 41.0))}\n"))));
        string output = folder.File("o.h5");
        string[] command = ["--table", $"dff={photometry}", "--times", "1,4.25,8", "--after", "1", "--rate", "dff=100"];

        var bare = CliRunner.Run([.. command, "--filter", "dff: signal > 0.5", "--out", output]);
        var (code, _, stderr) = CliRunner.Run([.. command, "--filter", "dff: `signal` > 0.5", "--out", output]);

        var missing = CliRunner.Run([.. command, "--filter", "dff: `signl` > 0.5", "--out", output]);
        Assert.Equal(2, missing.Code);
        Assert.Contains("dff (table) has no column 'signl': its columns are `signal` and isosbestic; did you mean '`signal`'?", missing.Error, StringComparison.Ordinal);
        Assert.Equal(2, bare.Code);
        Assert.Contains("'signal' is both dff (table)'s signal (", bare.Error, StringComparison.Ordinal);
        Assert.Contains("write `signal` (in backticks) for the column", bare.Error, StringComparison.Ordinal);
        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np, pandas as pd
            df = pd.read_csv(sys.argv[1])
            g = h5py.File(sys.argv[2], 'r')['dff']
            keep = df.eval("`signal` > 0.5").to_numpy()
            k = np.searchsorted(df['time'].to_numpy(), g['timestamps'][:] + 1e-9, side='right') - 1
            expected = np.broadcast_to(keep[k][..., None], g['data'].shape)
            assert np.array_equal(g['mask'][:], expected.astype(np.uint8)), np.argwhere(g['mask'][:] != expected)[:5]
            assert 0.05 < expected.mean() < 0.95, expected.mean()
            print('ok')
            """,
            photometry,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [RequiresFact(Needs.Python)]
    public void Export_UnknownColumn_ListsTheColumnsAsARuleWritesThem()
    {
        using var folder = new TempFolder();
        string pupil = folder.File("pupil.csv");
        File.WriteAllText(pupil, "time,pupil diameter,lick-rate\n0,1,2\n1,2,3\n");

        var (code, _, stderr) = CliRunner.Run("--table", $"pupil={pupil}", "--time", "0.5", "--filter", "pupil: `pupil diamter` > 1", "--out", folder.File("o.h5"));

        Assert.Equal(2, code);
        Assert.StartsWith("neuro-align: error: filter \"pupil: `pupil diamter` > 1\": pupil (table) has no column 'pupil diamter': its columns are `pupil diameter` and `lick-rate`; did you mean '`pupil diameter`'?", stderr, StringComparison.Ordinal);
        Assert.Equal(["pupil.csv"], folder.FileNames());
    }

    [RequiresTheory(Needs.Python)]
    [InlineData(
        "table: position > 0.3",
        "2 table streams are loaded (wheel, licks), each with its own columns, and the rule reads 'position': start it with the stream's name, e.g. 'wheel:'",
        "^^^^^")]
    [InlineData("wheel: postion > 0.3", "unknown name 'postion': expected signal, t, position or speed; did you mean 'position'?", "       ^^^^^^^")]
    [InlineData("licks: position > 0.3", "unknown name 'position': expected signal, t, lick or pressure", "       ^^^^^^^^")]
    [InlineData("whel: position > 0.3", "unknown scope 'whel': expected table or a stream's name (wheel or licks); did you mean 'wheel'?", "^^^^")]
    public void Export_BadColumnRule_ExitsTwoWithCaret_NothingWritten(string rule, string reason, string caret)
    {
        using var folder = new TempFolder();
        var (wheel, licks) = WriteTables(folder);

        var (code, _, stderr) = CliRunner.Run("--table", $"wheel={wheel}", "--table", $"licks={licks}", "--time", "2", "--filter", rule, "--out", folder.File("o.h5"));

        Assert.Equal(2, code);
        string[] lines = stderr.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.Equal($"neuro-align: error: filter \"{rule}\": {reason}", lines[0]);
        Assert.Equal("    " + rule, lines[1]);
        Assert.Equal("    " + caret, lines[2]);
        Assert.Equal(["licks.tsv", "wheel.csv"], folder.FileNames().Order());
    }
}
