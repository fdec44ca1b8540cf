using NeuroAlign.Formats.Kilosort;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Formats.Kilosort;

/// <summary>Kilosort/phy folders and other sorters' files: what is read, and the one-line refusals of issue 18.</summary>
public sealed class SortedSpikesTests
{
    private static readonly long[] Samples = [10, 10, 25, 300, 301, 9000, 9001, 12000];
    private static readonly int[] Clusters = [3, 7, 3, 12, 7, 3, 12, 12];

    [Theory]
    [InlineData(KilosortLayout.Kilosort25, "kilosort2.5/3, curated in phy")]
    [InlineData(KilosortLayout.Kilosort4, "kilosort4")]
    public void Open_KilosortFolder_SpikesUnitsLabelsAndParams(KilosortLayout layout, string sorter)
    {
        using var folder = new TempFolder();
        bool curated = layout == KilosortLayout.Kilosort25;
        SyntheticKilosort.Write(folder.Path, layout, Samples, Clusters, "run.bin", 30000,
            ksLabels: new Dictionary<int, string> { [3] = "good", [7] = "mua", [12] = "good" },
            groups: curated ? new Dictionary<int, string> { [3] = "good", [7] = "noise", [12] = "mua" } : null,
            info: curated ? new Dictionary<int, (int, double)> { [3] = (5, 100), [7] = (9, 180.5), [12] = (40, 800) } : null);

        using SortedSpikes spikes = SortedSpikes.Open(folder.Path, new SortedSpikesOptions());

        Assert.Equal(sorter, spikes.Sorter);
        Assert.Equal(30000, spikes.SampleRateHz);
        Assert.Equal(8, spikes.SpikeCount);
        Assert.Equal((10, 12000), (spikes.FirstSample, spikes.LastSample));
        Assert.Equal([3L, 7, 12], spikes.Units.Select(u => u.Id));
        Assert.Equal([3L, 2, 3], spikes.Units.Select(u => u.SpikeCount));
        Assert.Equal(curated ? ["good", "noise", "mua"] : ["good", "mua", "good"], spikes.Units.Select(u => u.Label));
        Assert.Equal(curated ? "cluster_group.tsv" : "cluster_KSLabel.tsv", spikes.LabelSource);
        Assert.Equal(curated ? [5, 9, 40] : new int?[] { null, null, null }, spikes.Units.Select(u => u.Channel));
        Assert.Equal(["run.bin"], spikes.DatPaths);
        var samples = new long[8];
        var ids = new long[8];
        spikes.Read(0, samples, ids);
        Assert.Equal(Samples, samples);
        Assert.Equal(Clusters.Select(c => (long)c), ids);
    }

    [Fact]
    public void Open_ParamsPyOrSpikeTimesPath_OpensItsFolder()
    {
        using var folder = new TempFolder();
        SyntheticKilosort.Write(folder.Path, KilosortLayout.Kilosort4, Samples, Clusters, "run.bin", 25000);

        using SortedSpikes a = SortedSpikes.Open(folder.File("params.py"), new SortedSpikesOptions());
        using SortedSpikes b = SortedSpikes.Open(folder.File("spike_times.npy"), new SortedSpikesOptions());

        Assert.Equal(25000, a.SampleRateHz);
        Assert.Equal(8, b.SpikeCount);
        Assert.True(SortedSpikes.IsKilosort(folder.Path));
        Assert.Equal("unsorted", a.Units[0].Label);
    }

    [Fact]
    public void Open_LengthMismatch_NamesBothFilesLengths()
    {
        using var folder = new TempFolder();
        SyntheticKilosort.Write(folder.Path, KilosortLayout.Kilosort4, Samples, Clusters, "run.bin", 30000);
        SyntheticKilosort.WriteNpy(folder.File("spike_clusters.npy"), "<i4", "(7,)", 7, 4, (s, i) => s[0] = 1);

        var e = Assert.Throws<InvalidRecordingException>(() => SortedSpikes.Open(folder.Path, new SortedSpikesOptions()));

        Assert.Equal($"{folder.File("spike_clusters.npy")}: length: found 7 cluster ids, expected one per spike: 8, as spike_times.npy holds", e.Message);
    }

    [Fact]
    public void Open_UnsortedTimes_NamesTheFirstOffender_AndSortsOnlyWhenAsked()
    {
        using var folder = new TempFolder();
        long[] unsorted = [10, 25, 20, 300, 5, 9000, 9001, 12000];
        SyntheticKilosort.Write(folder.Path, KilosortLayout.Kilosort25, unsorted, Clusters, "run.bin", 30000);

        var e = Assert.Throws<InvalidRecordingException>(() => SortedSpikes.Open(folder.Path, new SortedSpikesOptions()));
        using SortedSpikes sorted = SortedSpikes.Open(folder.Path, new SortedSpikesOptions(SortTimes: true));

        Assert.Equal($"{folder.File("spike_times.npy")}: spike 2: found sample 20 after sample 25, expected spike times in increasing order (give the sort option to sort them)", e.Message);
        var samples = new long[8];
        var ids = new long[8];
        sorted.Read(0, samples, ids);
        Assert.Equal([5L, 10, 20, 25, 300, 9000, 9001, 12000], samples);
        Assert.Equal([7L, 3, 3, 7, 12, 3, 12, 12], ids);
        Assert.EndsWith("times sorted on reading", sorted.Sorter, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_LabelsOfClustersWithoutSpikes_IgnoredAndCounted()
    {
        // A curated folder: phy merged clusters 8 and 9 into 12 and rewrote spike_clusters.npy, but
        // cluster_KSLabel.tsv is Kilosort's and still lists 8 and 9 (and has no row for 12).
        using var folder = new TempFolder();
        SyntheticKilosort.Write(folder.Path, KilosortLayout.Kilosort4, Samples, Clusters, "run.bin", 30000);
        File.WriteAllText(folder.File("cluster_KSLabel.tsv"), "cluster_id\tKSLabel\n3\tgood\n7\tmua\n8\tgood\n9\tmua\n");

        using var sorted = SortedSpikes.Open(folder.Path, new SortedSpikesOptions());

        Assert.Equal([(3L, "good"), (7L, "mua"), (12L, "unsorted")], sorted.Units.Select(u => (u.Id, u.Label)));
        Assert.Equal("cluster_KSLabel.tsv; 2 labelled cluster(s) without spikes ignored (merged or split away in phy)", sorted.LabelSource);
    }

    [Theory]
    [InlineData("sample_rate = 30000 +", "line 1, column 21")]
    [InlineData("dat_path = 'run.bin'", "sample_rate: found no such assignment")]
    [InlineData("sample_rate = 0.0", "sample_rate: found 0, expected a sample rate")]
    public void Open_BadParams_OneLine(string text, string expected)
    {
        using var folder = new TempFolder();
        SyntheticKilosort.Write(folder.Path, KilosortLayout.Kilosort4, Samples, Clusters, "run.bin", 30000);
        File.WriteAllText(folder.File("params.py"), text);

        var e = Assert.Throws<InvalidRecordingException>(() => SortedSpikes.Open(folder.Path, new SortedSpikesOptions()));

        Assert.StartsWith($"{folder.File("params.py")}: {expected}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Open_OtherSorters_SecondsNpyAndATable_AsNearestSamples()
    {
        using var folder = new TempFolder();
        NpyWriter.WriteFloat64(folder.File("times.npy"), [0.001, 0.00105, 2.5]);
        NpyWriter.WriteInt64(folder.File("ids.npy"), [4, 2, 4]);
        File.WriteAllText(folder.File("spikes.tsv"), "time\tunit\n0.001\t4\n0.00105\t2\n2.5\t4\n");

        using SortedSpikes npy = SortedSpikes.Open(folder.File("times.npy"), new SortedSpikesOptions(ClustersPath: folder.File("ids.npy"), SampleRateHz: 20000));
        using SortedSpikes table = SortedSpikes.Open(folder.File("spikes.tsv"), new SortedSpikesOptions(SampleRateHz: 20000));

        foreach (SortedSpikes s in new[] { npy, table })
        {
            var samples = new long[3];
            var ids = new long[3];
            s.Read(0, samples, ids);
            Assert.Equal([20L, 21, 50000], samples);
            Assert.Equal([4L, 2, 4], ids);
            Assert.Equal([2L, 4], s.Units.Select(u => u.Id));
        }
    }

    [Fact]
    public void Open_TimesNpyWithoutIds_SaysWhatIsMissing()
    {
        using var folder = new TempFolder();
        NpyWriter.WriteInt64(folder.File("times.npy"), [1, 2]);

        var e = Assert.Throws<InvalidRecordingException>(() => SortedSpikes.Open(folder.File("times.npy"), new SortedSpikesOptions(SampleRateHz: 1000)));

        Assert.StartsWith($"{folder.File("times.npy")}: unit ids: found none given", e.Message, StringComparison.Ordinal);
    }
}
