using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// Issue 18, "How a user checks it": a Kilosort folder sorted from a second probe that runs 20 ppm
/// slow and starts 0.75 s late, tied to the first probe by shared sync pulses, exports counts equal
/// to numpy's histogram of the true spike times per unit and bin, and spike lists equal to the
/// truth within one sample; for the Kilosort 2.5 (N, 1) and Kilosort 4 (N,) layouts.
/// </summary>
public sealed class SpikesExportTests
{
    private const double Rate = 30_000, Seconds = 12;
    private static readonly DeviceClock ProbeB = new(0.75, -20);

    /// <summary>The oracle: numpy histogram of the truth per window and unit, and the truth's lists.</summary>
    private const string Oracle = """
        import sys, json, h5py, numpy as np
        f = h5py.File(sys.argv[1], 'r')
        truth_t = np.load(sys.argv[2]); truth_id = np.load(sys.argv[3])
        g = f[sys.argv[4]]
        times = f['windows/time'][:]
        before, after = f.attrs['before_s'], f.attrs['after_s']
        counts = g['counts'][:]; ids = g['unit_ids'][:]
        rate = g.attrs['output_rate_hz']; n = counts.shape[1]
        offsets = g['window_offsets'][:]; st = g['spike_times'][:]; su = g['spike_units'][:]
        bad = []
        for w, t in enumerate(times):
            edges = t - before + np.arange(n + 1) / rate
            for u, uid in enumerate(ids):
                expected, _ = np.histogram(truth_t[truth_id == uid], bins=edges)
                if not np.array_equal(expected, counts[w, :, u]):
                    bad.append(f'counts window {w} unit {uid}: {int(expected.sum())} vs {int(counts[w, :, u].sum())}')
            keep = np.isin(truth_id, ids) & (truth_t >= t - before) & (truth_t < t + after)
            et = truth_t[keep]; eu = np.searchsorted(ids, truth_id[keep])
            order = np.argsort(et, kind='stable'); et, eu = et[order], eu[order]
            got_t = st[offsets[w]:offsets[w + 1]]; got_u = su[offsets[w]:offsets[w + 1]]
            if len(got_t) != len(et):
                bad.append(f'list window {w}: {len(got_t)} spikes vs {len(et)}')
            elif len(et) and (np.max(np.abs(got_t - et)) >= 1 / 30000 or not np.array_equal(got_u, eu)):
                bad.append(f'list window {w}: max error {np.max(np.abs(got_t - et))} s, units equal {np.array_equal(got_u, eu)}')
            if len(got_t) > 1 and np.any(np.diff(got_t) < 0):
                bad.append(f'list window {w} not sorted')
        print(json.dumps({'bad': bad, 'spikes': int(offsets[-1]), 'counted': int(counts.sum()),
                          'attrs': {k: (v if isinstance(v, str) else float(v)) for k, v in g.attrs.items() if k in ('sorter', 'clock_stream', 'sample_rate_hz', 'source_path', 'modality')},
                          'labels': [x.decode() if isinstance(x, bytes) else x for x in g['unit_labels'][:]],
                          'channels': g['unit_channel'][:].tolist() if 'unit_channel' in g else None}))
        """;

    [RequiresTheory(Needs.Python)]
    [InlineData(KilosortLayout.Kilosort25)]
    [InlineData(KilosortLayout.Kilosort4)]
    public void Export_SortedFromADriftingLateProbe_CountsAreTheHistogramOfTheTruthAndListsWithinOneSample(KilosortLayout layout)
    {
        using var folder = new TempFolder();
        string probeA = folder.File("run_g0_t0.imec0.ap.bin"), probeB = folder.File("run_g0_t0.imec1.ap.bin");
        WriteProbes(probeA, probeB);
        var (samples, clusters, truthTimes) = Spikes(seed: layout == KilosortLayout.Kilosort25 ? 1 : 2, units: [0, 1, 2, 3, 5]);
        string ks = folder.File("kilosort");
        var groups = new Dictionary<int, string> { [0] = "good", [1] = "mua", [2] = "noise", [3] = "good", [5] = "good" };
        if (layout == KilosortLayout.Kilosort25)
        {
            // Curated in phy: cluster_group.tsv leads, cluster_info.tsv gives channels and depths.
            SyntheticKilosort.Write(ks, layout, samples, clusters, "run_g0_t0.imec1.ap.bin", Rate, ksLabels: groups.ToDictionary(kv => kv.Key, _ => "good"), groups: groups,
                info: groups.ToDictionary(kv => kv.Key, kv => (Channel: kv.Key * 7, Depth: 20.0 * kv.Key)));
        }
        else
        {
            // Kilosort 4 straight out: KSLabel only; dat_path names a file that is not loaded, so --spikes-of says which.
            SyntheticKilosort.Write(ks, layout, samples, clusters, "/data/probe_b_copy.bin", Rate, ksLabels: groups.ToDictionary(kv => kv.Key, kv => kv.Value == "noise" ? "mua" : kv.Value));
        }

        string truthT = folder.File("truth_t.npy"), truthId = folder.File("truth_id.npy");
        NpyWriter.WriteFloat64(truthT, truthTimes);
        NpyWriter.WriteInt64(truthId, clusters.Select(c => (long)c).ToArray());
        string output = folder.File("out.h5");
        string[] args =
        [
            "export", "--ephys", probeA, "--ephys", $"probeB={probeB}", "--spikes", layout == KilosortLayout.Kilosort25 ? ks : Path.Combine(ks, "params.py"),
            "--times", "0.9,1.5,3,4.25,4.5,6,8.5,10.75,11.2", "--before", "0.25", "--after", "0.75", "--out", output,
            .. layout == KilosortLayout.Kilosort4 ? new[] { "--spikes-of", "probeB" } : [],
        ];

        var (code, _, error) = CliRunner.Run(args);

        Assert.True(code == 0, error);
        using var result = System.Text.Json.JsonDocument.Parse(Python.Run(Oracle, output, truthT, truthId, "spikes"));
        JsonAssert(result.RootElement, layout);
    }

    /// <summary>Shards of an export with spike lists merge into the file one export writes: offsets rebased, every dataset equal.</summary>
    [Slow]
    [RequiresFact(Needs.Python)]
    public void ExportShardsThenMerge_SpikeListsAndCountsEqualTheSingleExport()
    {
        using var folder = new TempFolder();
        string probeA = folder.File("run_g0_t0.imec0.ap.bin"), probeB = folder.File("run_g0_t0.imec1.ap.bin");
        WriteProbes(probeA, probeB);
        var (samples, clusters, _) = Spikes(seed: 3, units: [4, 9, 11]);
        string ks = folder.File("ks");
        SyntheticKilosort.Write(ks, KilosortLayout.Kilosort4, samples, clusters, "run_g0_t0.imec1.ap.bin", Rate, ksLabels: new Dictionary<int, string> { [4] = "good", [9] = "mua", [11] = "good" });
        string[] options = ["export", "--ephys", probeA, "--ephys", $"probeB={probeB}", "--spikes", ks, "--spike-units", "4,11", "--every", "0.5", "--before", "0.1", "--after", "0.4", "--rate", "ephys=100,probeB=100,spikes=500"];
        var single = CliRunner.Run([.. options, "--out", folder.File("single.h5")]);
        Assert.True(single.Code == 0, single.Error);
        string[] shards = [.. Enumerable.Range(0, 3).Select(i => folder.File($"part{i}.h5"))];
        for (int i = 0; i < 3; i++)
        {
            var shard = CliRunner.Run([.. options, "--shard", $"{i}/3", "--out", shards[i]]);
            Assert.True(shard.Code == 0, shard.Error);
        }

        var merge = CliRunner.Run(["merge", folder.File("merged.h5"), shards[1], shards[2], shards[0]]);

        Assert.True(merge.Code == 0, merge.Error);
        Assert.True(ScaleOut.ScaleOutFiles.AssertSameDatasets(folder.File("single.h5"), folder.File("merged.h5")) >= 20);
        string offsets = Python.Run(
            """
            import sys, h5py
            print(*[int(h5py.File(p, 'r')['spikes/window_offsets'][0]) for p in sys.argv[1:]], int(h5py.File(sys.argv[1], 'r')['spikes/window_offsets'][-1]) > 0)
            """,
            [.. shards]);
        Assert.Equal("0 0 0 True", offsets.Trim());
    }

    private static void JsonAssert(System.Text.Json.JsonElement r, KilosortLayout layout)
    {
        Assert.Empty(r.GetProperty("bad").EnumerateArray().Select(b => b.GetString()));
        Assert.True(r.GetProperty("spikes").GetInt32() > 500, "too few spikes in the windows to mean anything");
        var attrs = r.GetProperty("attrs");
        Assert.Equal("probeB", attrs.GetProperty("clock_stream").GetString());
        Assert.Equal(Rate, attrs.GetProperty("sample_rate_hz").GetDouble());
        Assert.Equal("spikes", attrs.GetProperty("modality").GetString());
        if (layout == KilosortLayout.Kilosort25)
        {
            Assert.Equal("kilosort2.5/3, curated in phy", attrs.GetProperty("sorter").GetString());
            Assert.Equal(["good", "mua", "good", "good"], r.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
            Assert.Equal([0, 7, 21, 35], r.GetProperty("channels").EnumerateArray().Select(c => c.GetInt32()));
        }
        else
        {
            Assert.Equal("kilosort4", attrs.GetProperty("sorter").GetString());
            Assert.Equal(["good", "mua", "mua", "good", "good"], r.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        }
    }

    /// <summary>Probe A is the reference; probe B runs 20 ppm slow from 0.75 s (its firstSample); both record the same 1 Hz sync on SY bit 6.</summary>
    internal static void WriteProbes(string probeA, string probeB)
    {
        LineSignal sync = SyntheticSync.SquareWave(1.000037, 0.5, 0.25);
        SyntheticSync.WriteRecording(probeA, 3, Rate, (long)(Seconds * Rate), new DeviceClock(0, 0), [(6, sync)]);
        SyntheticSync.WriteRecording(probeB, 3, Rate, (long)(Seconds * Rate), ProbeB, [(6, sync)]);
        SyntheticSpikeGlxMeta.WriteImec(probeA, 2, Rate);
        // SpikeGLX counts both probes from one start: probe B's file begins 0.75 s (22 500 samples) in.
        SyntheticSpikeGlxMeta.WriteImec(probeB, 2, Rate, firstSample: (long)(ProbeB.StartSeconds * Rate));
    }

    /// <summary>
    /// Spikes of probe B: sample numbers, clusters and their true reference times (the time probe B
    /// took that sample), kept at least 0.1 ms from every millisecond so no bin edge is in doubt.
    /// </summary>
    internal static (long[] Samples, int[] Clusters, double[] Truth) Spikes(int seed, int[] units)
    {
        var random = new Random(seed);
        var samples = new SortedSet<long>();
        while (samples.Count < 4000)
        {
            long k = random.NextInt64((long)(Seconds * Rate));
            double t = ProbeB.ReferenceOf(k / Rate) * 1000;
            if (t - Math.Floor(t) is > 0.1 and < 0.9)
            {
                samples.Add(k);
            }
        }

        long[] sorted = [.. samples];

        // Two spikes of different units at one sample: both count.
        sorted[100] = sorted[99];
        int[] clusters = [.. sorted.Select((_, i) => units[(i * 7 + random.Next(3)) % units.Length])];
        clusters[100] = clusters[99] == units[0] ? units[1] : units[0];
        return (sorted, clusters, [.. sorted.Select(k => ProbeB.ReferenceOf(k / Rate))]);
    }
}
