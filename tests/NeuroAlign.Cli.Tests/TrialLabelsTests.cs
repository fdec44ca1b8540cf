using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// Trial labels: the events table's other columns as /windows/&lt;column&gt;, checked against what
/// pandas reads from the same table; kept beside their windows through drop-incomplete, filters,
/// shards and their merge.
/// </summary>
public class TrialLabelsTests
{
    private const string Events =
        "onset\tduration\ttrial_type\tresponse_time\tstim_file\n" +
        "0.5\t1\tgo\t0.31\timg/a.png\n" +
        "n/a\t1\tgo\t0.2\timg/b.png\n" +
        "1.25\t1\tstop\tn/a\tn/a\n" +
        "1.5\t0.5\tgo\t0.44\timg/c.png\n" +
        "1.9\t1\tcatch\t1e-1\t\"img/d, e.png\"\n" +
        "0.75\t2\tgo\t0.5\timg/f.png\n";

    private static (string Recording, string Events) Files(TempFolder folder)
    {
        string recording = folder.File("r.dat");
        // 2 s of 4 int16 channels at 30 kHz: sample k of channel c is (k + c) mod 30000.
        short[] samples = new short[60_000 * 4];
        for (int k = 0; k < 60_000; k++)
        {
            for (int c = 0; c < 4; c++)
            {
                samples[(k * 4) + c] = (short)((k + c) % 30_000);
            }
        }

        File.WriteAllBytes(recording, System.Runtime.InteropServices.MemoryMarshal.AsBytes(samples.AsSpan()).ToArray());
        string events = folder.File("events.tsv");
        File.WriteAllText(events, Events);
        return (recording, events);
    }

    [RequiresFact(Needs.Python)]
    public void Export_Events_EveryOtherColumnIsALabelOfItsWindow_AsPandasReadsIt()
    {
        using var folder = new TempFolder();
        var (recording, events) = Files(folder);
        string all = folder.File("all.h5"), chosen = folder.File("chosen.h5");

        // The window at 1.9 s reaches past the 2 s recording: dropped with its labels.
        var a = CliRunner.Run("--ephys", recording, "--ephys-channels", "4", "--events", events, "--after", "0.2", "--drop-incomplete", "--out", all);
        var c = CliRunner.Run("--ephys", recording, "--ephys-channels", "4", "--events", events, "--event-filter", "trial_type=go", "--event-columns", "response_time,trial_type", "--after", "0.1", "--out", chosen);

        Assert.True(a.Code == 0, a.Error);
        Assert.True(c.Code == 0, c.Error);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np, pandas as pd
            e = pd.read_csv(sys.argv[1], sep='\t', na_values=['n/a'], keep_default_na=False)
            e = e[e['onset'].notna()]
            kept = e[e['onset'] + 0.2 <= 2.0]
            f = h5py.File(sys.argv[2], 'r')
            w = f['windows']
            assert sorted(w.keys()) == ['duration', 'response_time', 'stim_file', 'time', 'trial_type'], list(w.keys())
            assert np.array_equal(w['time'][:], kept['onset'].to_numpy())
            assert w['duration'].dtype == np.float64 and np.array_equal(w['duration'][:], kept['duration'].to_numpy())
            assert np.array_equal(w['response_time'][:], kept['response_time'].to_numpy(), equal_nan=True)
            assert list(w['trial_type'].asstr()[:]) == list(kept['trial_type'])
            assert list(w['stim_file'].asstr()[:]) == list(kept['stim_file'].fillna(''))
            # Each label sits beside its window's data: the window at onset t starts at sample 30000 t.
            assert np.array_equal(f['ephys/source_index'][:, 0], np.round(kept['onset'].to_numpy() * 30000).astype(int))
            g = h5py.File(sys.argv[3], 'r')['windows']
            go = e[e['trial_type'] == 'go']
            assert sorted(g.keys()) == ['response_time', 'time', 'trial_type']
            assert np.array_equal(g['time'][:], go['onset'].to_numpy())
            assert np.array_equal(g['response_time'][:], go['response_time'].to_numpy())
            assert list(g['trial_type'].asstr()[:]) == ['go'] * len(go)
            print('ok')
            """,
            events,
            all,
            chosen);
        Assert.Equal("ok", check.Trim());
    }

    [RequiresFact(Needs.Python)]
    public void Merge_ShardsOfAnEventsExport_CarryTheLabelsOfTheSingleExport()
    {
        using var folder = new TempFolder();
        var (recording, events) = Files(folder);
        string[] options = ["--ephys", recording, "--ephys-channels", "4", "--events", events, "--after", "0.05"];
        var single = CliRunner.Run([.. options, "--out", folder.File("single.h5")]);
        Assert.True(single.Code == 0, single.Error);
        string[] shards = [folder.File("s0.h5"), folder.File("s1.h5"), folder.File("s2.h5")];
        for (int i = 0; i < 3; i++)
        {
            var shard = CliRunner.Run([.. options, "--shard", $"{i}/3", "--out", shards[i]]);
            Assert.True(shard.Code == 0, shard.Error);
        }

        var merge = CliRunner.Run(["merge", folder.File("merged.h5"), shards[2], shards[0], shards[1]]);

        Assert.True(merge.Code == 0, merge.Error);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            s, m = h5py.File(sys.argv[1], 'r')['windows'], h5py.File(sys.argv[2], 'r')['windows']
            assert sorted(s.keys()) == sorted(m.keys()) and len(s.keys()) == 5, (list(s.keys()), list(m.keys()))
            for k in s.keys():
                a, b = s[k][:], m[k][:]
                assert a.dtype.kind == b.dtype.kind and len(a) == 5, k
                assert (np.array_equal(a, b, equal_nan=True) if a.dtype.kind == 'f' else list(a) == list(b)), k
            print('ok')
            """,
            folder.File("single.h5"),
            folder.File("merged.h5"));
        Assert.Equal("ok", check.Trim());
    }

    [Theory]
    [InlineData(new[] { "--time", "1", "--event-columns", "trial_type" }, "--event-columns: needs --events FILE")]
    [InlineData(new[] { "--events", "EVENTS", "--event-columns", "reaction" }, "a column named 'reaction'")]
    [InlineData(new[] { "--events", "EVENTS", "--event-columns", "trial_type,,x" }, "empty column name")]
    public void Export_BadEventColumns_OneLineNothingWritten(string[] options, string message)
    {
        using var folder = new TempFolder();
        var (recording, events) = Files(folder);
        string output = folder.File("o.h5");

        var (code, _, stderr) = CliRunner.Run([.. "--ephys,R,--ephys-channels,4".Split(',').Select(o => o == "R" ? recording : o), .. options.Select(o => o == "EVENTS" ? events : o), "--out", output]);

        Assert.NotEqual(0, code);
        Assert.Contains(message, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.False(File.Exists(output));
    }
}
