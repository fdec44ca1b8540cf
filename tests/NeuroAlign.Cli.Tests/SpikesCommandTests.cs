using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>Sorted spikes on the command line: info, and bad input refused in one line with nothing written (issue 18).</summary>
public sealed class SpikesCommandTests
{
    private static readonly long[] Samples = [30, 31, 3000, 45_000, 89_999];
    private static readonly int[] Clusters = [2, 4, 2, 4, 7];

    private static string Folder(TempFolder folder, double rate = 30000, IReadOnlyList<long>? samples = null)
    {
        string ks = folder.File("ks");
        SyntheticKilosort.Write(ks, KilosortLayout.Kilosort25, samples ?? Samples, Clusters, "run_g0_t0.imec0.ap.bin", rate,
            ksLabels: new Dictionary<int, string> { [2] = "good", [4] = "mua", [7] = "good" },
            groups: new Dictionary<int, string> { [2] = "good", [4] = "noise", [7] = "good" });
        return ks;
    }

    [Fact]
    public void Info_PhyFolder_UnitsPerLabelSpikesSpanRateAndClock()
    {
        using var folder = new TempFolder();
        string ks = Folder(folder);

        var (code, output, error) = CliRunner.Run("info", ks);

        Assert.True(code == 0, error);
        Assert.Contains("  format:", output, StringComparison.Ordinal);
        Assert.Contains("kilosort2.5/3, curated in phy", output, StringComparison.Ordinal);
        Assert.Contains("spikes:         5\n", output.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        Assert.Contains("units:          3 (2 good, 1 noise; labels from cluster_group.tsv)", output, StringComparison.Ordinal);
        Assert.Contains("units kept:     2 (3 spikes)", output, StringComparison.Ordinal);
        Assert.Contains("time span:      0.001000 to 2.999967 s", output, StringComparison.Ordinal);
        Assert.Contains("sample rate:    30000 Hz", output, StringComparison.Ordinal);
        Assert.Contains("no ephys stream loaded: regular at 30000 Hz from 0", output, StringComparison.Ordinal);
        Assert.Contains("dat_path:       run_g0_t0.imec0.ap.bin", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_NoEphys_SpikesLeadOnTheirSampleRate()
    {
        using var folder = new TempFolder();
        string ks = Folder(folder, rate: 20000);

        var (code, output, error) = CliRunner.Run("export", "--spikes", ks, "--spike-units", "2,4", "--time", "1.5", "--before", "1.5", "--after", "3", "--out", folder.File("o.h5"));

        Assert.True(code == 0, error);
        Assert.Contains("spikes: 4500 samples per window at 1000 Hz, each 2 uint16", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mismatch", 1, "spike_clusters.npy: length: found 4 cluster ids, expected one per spike: 5")]
    [InlineData("unsorted", 1, "spike_times.npy: spike 3: found sample 20 after sample 3000")]
    [InlineData("params", 1, "params.py: line 1, column 13: found 'float(30000)', expected a literal")]
    [InlineData("past", 1, "last spike: found sample 89999, expected a sample of ephys")]
    [InlineData("units", 2, "option --spike-units: 'good,3' mixes labels and ids")]
    [InlineData("of", 2, "option --spikes-of: spikes: no ephys stream 'probeZ' is loaded (ephys streams: ephys)")]
    [InlineData("none kept", 2, "option --spike-units: spikes (")]
    public void Export_BadInput_OneLineAndNothingWritten(string defect, int exitCode, string expected)
    {
        using var folder = new TempFolder();
        string ks = Folder(folder, samples: defect == "unsorted" ? [30, 31, 3000, 20, 89_999] : null);
        string probe = folder.File("run_g0_t0.imec0.ap.bin");
        SyntheticSync.WriteRecording(probe, 3, 30000, 60_000, new DeviceClock(0, 0), []);
        SyntheticSpikeGlxMeta.WriteImec(probe, 2, 30000);
        var extra = new List<string>();
        switch (defect)
        {
            case "mismatch": SyntheticKilosort.WriteNpy(Path.Combine(ks, "spike_clusters.npy"), "<i4", "(4,)", 4, 4, (s, i) => s[0] = 2); break;
            case "params": File.WriteAllText(Path.Combine(ks, "params.py"), "sample_rate=float(30000)\n"); break;
            case "units": extra.AddRange(["--spike-units", "good,3"]); break;
            case "of": extra.AddRange(["--spikes-of", "probeZ"]); break;
            case "none kept": extra.AddRange(["--spike-units", "mua"]); break;
        }

        string output = folder.File("o.h5");
        var (code, _, error) = CliRunner.Run(["export", "--ephys", probe, "--spikes", ks, "--time", "0.5", "--out", output, .. extra]);

        Assert.Equal(exitCode, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.StartsWith("neuro-align: error: ", error, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.Equal(["run_g0_t0.imec0.ap.bin", "run_g0_t0.imec0.ap.meta"], folder.FileNames());
    }
}
