using System.Globalization;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using NeuroAlign.Alignment;
using NeuroAlign.Filtering;
using NeuroAlign.Modalities.Ephys;
using NeuroAlign.Modalities.Fmri;
using NeuroAlign.Modalities.Physio;
using NeuroAlign.Modalities.Table;
using NeuroAlign.Sessions;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Filtering;

/// <summary>
/// Rules on physio and table columns through a whole Core export (settings → session → plan →
/// aligner): the masks equal what pandas computes from the same table, and what a physio file
/// built so that its columns encode the row gives.
/// </summary>
public sealed class ColumnFilterSessionTests
{
    private static readonly ModalityRegistry Registry = new([new EphysModality(), new FmriModality(), new PhysioModality(), new TableModality()]);

    private static MemorySink Export(params (Setting Setting, string Text)[] given)
    {
        var values = new SettingValues();
        foreach (var (setting, text) in given)
        {
            values.Add(setting, text);
        }

        IReadOnlyList<StreamRequest> requests = Registry.Requests(values);
        ExportPlan plan = ExportPlan.FromSettings(values, requests, Registry.Modalities);
        var log = new NoLog();
        using Session session = Session.Open(requests, values, log);
        IReadOnlyList<AlignedStream> streams = plan.Streams(session);
        double[] times = plan.WindowTimes(session, streams, [], log);
        var sink = new MemorySink();
        Aligner.Run(streams, times, sink, new Dictionary<string, object>());
        return sink;
    }

    private static Setting<string> PathOf(string modality) => Registry.PathSetting(Registry.Find(modality)!);

    /// <summary>A wheel table of 1500 rows at irregular times (5-15 ms apart) with a position, a speed and a lick column.</summary>
    private static string WriteWheel(TempFolder folder)
    {
        var random = new Random(16);
        var csv = new StringBuilder("time,position,speed,lick\n");
        double t = 0.1;
        for (int k = 0; k < 1500; k++)
        {
            t += 0.005 + (random.NextDouble() * 0.01);
            csv.Append(CultureInfo.InvariantCulture, $"{t:R},{(random.NextDouble() * 2) - 1:R},{random.NextDouble() * 4:R},{(random.Next(4) == 0 ? 1 : 0)}\n");
        }

        string path = folder.File("wheel.csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    [RequiresTheory(Needs.Python)]
    [InlineData("wheel: position > 0.3 and speed < 2 or lick == 1", "((position > 0.3) & (speed < 2) | (lick == 1))[..., None]")]
    [InlineData("table: signal > 0.5 or position < -0.2", "(signal > 0.5) | (position < -0.2)[..., None]")]
    [InlineData("wheel: abs(position) * 4 < speed and t >= 5.2 s", "((np.abs(position) * 4 < speed) & (ts >= 5.2))[..., None]")]
    public void Export_TableColumnRule_MaskEqualsPandas(string rule, string numpy)
    {
        using var folder = new TempFolder();
        string wheel = WriteWheel(folder);

        MemorySink sink = Export(
            (PathOf("table"), $"wheel={wheel}"),
            (ExportSettings.Times, "2,5.5,9"),
            (ExportSettings.Before, "0.5"),
            (ExportSettings.After, "1"),
            (ExportSettings.Rate, "wheel=200"),
            (ExportSettings.Filter, rule));

        Assert.True(sink.Layout!.Modalities[0].HasMask);
        string timesFile = folder.File("ts.f8"), maskFile = folder.File("mask.u1");
        File.WriteAllBytes(timesFile, sink.Windows[0].SelectMany(w => MemoryMarshal.AsBytes(w.Timestamps.AsSpan()).ToArray()).ToArray());
        File.WriteAllBytes(maskFile, sink.Masks[0].SelectMany(m => m).ToArray());
        string check = Python.Run(
            """
            import sys, numpy as np, pandas as pd
            df = pd.read_csv(sys.argv[1])
            t = df['time'].to_numpy(np.float64)
            rows = df[['position', 'speed', 'lick']].to_numpy(np.float32).astype(np.float64)
            ts = np.fromfile(sys.argv[2], dtype='<f8').reshape(3, 300)
            mask = np.fromfile(sys.argv[3], dtype=np.uint8).reshape(3, 300, 3)
            k = np.searchsorted(t, ts, side='right') - 1
            assert (k >= 0).all() and (k < len(t) - 1).all()
            signal = rows[k]
            position, speed, lick = signal[..., 0], signal[..., 1], signal[..., 2]
            expected = np.broadcast_to(eval(sys.argv[4]), mask.shape).astype(np.uint8)
            bad = np.argwhere(mask != expected)
            assert len(bad) == 0, (bad[:5], mask.mean(), expected.mean())
            assert 0.05 < expected.mean() < 0.95, expected.mean()
            print('ok')
            """,
            wheel,
            timesFile,
            maskFile,
            numpy);
        Assert.Equal("ok", check.Trim());
    }

    [Theory]
    [InlineData("physio: cardiac > 1000.5 and respiratory != 3 or trigger == 1")]
    [InlineData("physio: signal >= 3")]
    [InlineData("physio: cardiac + respiratory > 2004 and t < 21 s")]
    public void Export_PhysioColumnRule_KeepsTheRowsItsColumnsEncode(string rule)
    {
        // cardiac = k, respiratory = k mod 7, trigger = 1 every 50th row: the truth follows from the source row.
        using var folder = new TempFolder();
        string physio = folder.File("sub-01_task-rest_physio.tsv.gz");
        using (var gzip = new StreamWriter(new GZipStream(File.Create(physio), CompressionLevel.Fastest)))
        {
            for (int k = 0; k < 3000; k++)
            {
                gzip.Write(string.Create(CultureInfo.InvariantCulture, $"{k}\t{k % 7}\t{(k % 50 == 0 ? 1 : 0)}\n"));
            }
        }

        File.WriteAllText(folder.File("sub-01_task-rest_physio.json"), """{"SamplingFrequency": 100, "StartTime": 0, "Columns": ["cardiac", "respiratory", "trigger"]}""");
        Func<long, int, bool> truth = rule switch
        {
            "physio: signal >= 3" => (k, c) => (c == 0 ? k : c == 1 ? k % 7 : k % 50 == 0 ? 1 : 0) >= 3,
            "physio: cardiac > 1000.5 and respiratory != 3 or trigger == 1" => (k, _) => (k > 1000.5 && k % 7 != 3) || k % 50 == 0,
            _ => (k, _) => k + (k % 7) > 2004 && k / 100.0 < 21,
        };

        // The second window runs past the file's 30 s: its last rows are outside and never pass.
        MemorySink sink = Export(
            (PathOf("physio"), physio),
            (FmriSettings.Cache, folder.File("cache")),
            (ExportSettings.Times, "5,19.5,29"),
            (ExportSettings.After, "2"),
            (ExportSettings.Filter, rule));

        long kept = 0, outside = 0;
        for (int w = 0; w < 3; w++)
        {
            var (_, _, sourceIndex, _) = sink.Windows[0][w];
            byte[] mask = sink.Masks[0][w];
            Assert.Equal(sourceIndex.Length * 3, mask.Length);
            for (int n = 0; n < sourceIndex.Length; n++)
            {
                long k = sourceIndex[n];
                outside += k < 0 ? 1 : 0;
                for (int c = 0; c < 3; c++)
                {
                    bool pass = k >= 0 && truth(k, c);
                    kept += pass ? 1 : 0;
                    Assert.True(mask[(n * 3) + c] == (pass ? 1 : 0), $"window {w} point {n} (row {k}) column {c}");
                }
            }
        }

        Assert.True(outside > 0);
        Assert.InRange(kept, 1, (3 * 200 * 3) - 1);
    }

    [Fact]
    public void Export_TableRuleOnAColumnTheFileLacks_ThrowsWithItsColumns()
    {
        using var folder = new TempFolder();
        string wheel = WriteWheel(folder);

        var e = Assert.Throws<FilterSyntaxException>(() => Export(
            (PathOf("table"), $"wheel={wheel}"),
            (ExportSettings.Time, "2"),
            (ExportSettings.Filter, "wheel: postion > 0.3")));

        Assert.Equal("unknown name 'postion': expected signal, t, position, speed or lick; did you mean 'position'?", e.Reason);
    }

    private sealed class NoLog : ISessionLog
    {
        public void Warn(string message)
        {
        }
    }
}
