using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using NeuroAlign.Formats;
using NeuroAlign.Formats.Containers;
using NeuroAlign.Hdf5.Nwb;
using NeuroAlign.Hdf5.Pose;
using NeuroAlign.Modalities.Spikes;
using NeuroAlign.Streams;
using NeuroAlign.Tables;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Hdf5.Tests.Nwb;

/// <summary>
/// The NWB reader against h5py's reading of the real files in ../shared/data/nwb (a pynapple Units
/// + epochs file, a DLC2NWB ndx-pose file) and of files h5py writes here (SyntheticNwb).
/// </summary>
public sealed class NwbReaderTests : IDisposable
{
    private const string Pynapple = "A8604-211122.nwb";
    private const string Dlc = "m3v1mp4DLC_resnet50_openfieldAug20shuffle1_30000.nwb";
    private readonly TempFolder _folder = new();

    // The front end registers NWB at start-up; Core's table reader (events, pulses) finds it so.
    public NwbReaderTests() => ContainerSources.Register([new NwbSpikesOpener(), new NwbTimesOpener(), new NwbEphysOpener(), new NwbTableOpener(), new NwbVideoOpener(), new NwbPoseOpener()]);

    public void Dispose() => _folder.Dispose();

    private string Synthetic(string? version = "2.7.0")
    {
        string path = _folder.File($"s{Guid.NewGuid():N}.nwb");
        SyntheticNwb.Write(path, version);
        return path;
    }

    [RequiresFact(Needs.SharedData | Needs.Python)]
    public void Units_RealPynappleFile_EqualTheRaggedArraysH5pyReads()
    {
        string path = RepoPaths.Shared("nwb", Pynapple);
        string json = Python.Run(
            """
            import sys, json, h5py
            u = h5py.File(sys.argv[1], 'r')['units']
            t, idx, ids = u['spike_times'][:], u['spike_times_index'][:], u['id'][:]
            out, start = {}, 0
            for i, end in zip(ids, idx):
                out[str(int(i))] = [float(x) for x in t[start:end]]; start = int(end)
            print(json.dumps(out))
            """, path);
        var expected = JsonSerializer.Deserialize<Dictionary<string, double[]>>(json)!;

        ContainerSpikes read = new NwbSpikesOpener().ReadSpikes(path + "#units");
        using var spikes = read.Spikes;

        Assert.Equal([6L, 191L, 206L], spikes.Units.Select(u => u.Id));
        Assert.Equal(21354, spikes.SpikeCount);
        var samples = new long[spikes.SpikeCount];
        var ids = new long[spikes.SpikeCount];
        spikes.Read(0, samples, ids);
        foreach (var (unit, times) in expected)
        {
            double[] actual = [.. Enumerable.Range(0, samples.Length).Where(i => ids[i] == long.Parse(unit, CultureInfo.InvariantCulture)).Select(i => read.Clock.TimeOf(samples[i]))];

            // Exactly the file's float64 seconds: sample k of the clock is the k-th distinct spike time.
            Assert.Equal(times, actual);
        }
    }

    [RequiresFact(Needs.SharedData)]
    public void Epochs_RealPynappleFile_StartTimeAndTagsAsLabels()
    {
        string path = RepoPaths.Shared("nwb", Pynapple);

        TimeColumnValues epochs = TimeColumns.Read(path + "#epochs", new TimeColumnRequest { AllOtherColumnsAsLabels = true });

        Assert.Equal([0.0], epochs.Seconds);
        Assert.Equal("start_time", epochs.Column);
        Assert.Equal(["stop_time", "tags"], epochs.Labels.Select(l => l.Name));
        Assert.Equal([1087.5289], epochs.Labels[0].Numbers!);
        Assert.Equal(["wake"], epochs.Labels[1].Texts!);
    }

    [RequiresFact(Needs.SharedData | Needs.Python)]
    public void Pose_RealDlc2NwbFile_EqualsH5pyAndWarnsOfFrameNumberTimestamps()
    {
        string path = RepoPaths.Shared("nwb", Dlc);
        string json = Python.Run(
            """
            import sys, json, h5py
            g = h5py.File(sys.argv[1], 'r')['processing/behavior/PoseEstimation']
            names = sorted(k for k in g if isinstance(g[k], h5py.Group))
            print(json.dumps({'names': names, 'data': [g[k]['data'][:].tolist() for k in names], 'conf': [g[k]['confidence'][:].tolist() for k in names], 't': g[names[0]]['timestamps'][:].tolist()}))
            """, path);
        using var document = JsonDocument.Parse(json);
        string[] names = [.. document.RootElement.GetProperty("names").EnumerateArray().Select(e => e.GetString()!)];

        ContainerPose rows = new NwbPoseOpener().ReadPose(path + "#PoseEstimation");

        Assert.Equal(names, rows.Data.Bodyparts);
        Assert.Equal(2330, rows.Data.FrameCount);
        float[] all = Pose.PoseFilesTests.ReadAll(rows.Data);
        var data = document.RootElement.GetProperty("data");
        var conf = document.RootElement.GetProperty("conf");
        double[] t = [.. document.RootElement.GetProperty("t").EnumerateArray().Select(e => e.GetDouble())];
        for (int f = 0; f < rows.Data.FrameCount; f += 7)
        {
            Span<float> values = all.AsSpan(f * rows.Data.ValuesPerFrame, rows.Data.ValuesPerFrame);
            for (int b = 0; b < names.Length; b++)
            {
                Assert.Equal((float)data[b][f][0].GetDouble(), values[(b * 3) + 0]);
                Assert.Equal((float)data[b][f][1].GetDouble(), values[(b * 3) + 1]);
                Assert.Equal((float)conf[b][f].GetDouble(), values[(b * 3) + 2]);
            }

            Assert.Equal(t[f], rows.Clock.TimeOf(f));
        }

        // SOURCES.md: the timestamps are frame numbers labelled seconds; the reader says so.
        Assert.Contains(rows.Warnings, w => w.Contains("frame numbers", StringComparison.Ordinal));
    }

    [RequiresFact(Needs.Python)]
    public void ElectricalSeries_RandomWindows_EqualH5pySlicing_WithGainsIdsAndProbePositions()
    {
        string path = Synthetic();
        using EphysRecording recording = new NwbEphysOpener().OpenEphys(path + "#ElectricalSeriesAP");
        var random = new Random(4);
        long[] starts = [0, 999, 1000, 5432, SyntheticNwb.Samples - 700, .. Enumerable.Range(0, 6).Select(_ => (long)random.Next(0, SyntheticNwb.Samples - 700))];
        string oracle = Python.Run(
            """
            import sys, h5py, numpy as np
            d = h5py.File(sys.argv[1], 'r')['acquisition/ElectricalSeriesAP/data']
            for s in sys.argv[2:]:
                s = int(s); print(' '.join(str(v) for v in d[s:s + 700].ravel()))
            """, [path, .. starts.Select(s => s.ToString(CultureInfo.InvariantCulture))]);
        string[] lines = oracle.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var block = new short[700 * SyntheticNwb.Channels];
        for (int i = 0; i < starts.Length; i++)
        {
            recording.ReadBlock(starts[i], 700, MemoryMarshal.AsBytes(block.AsSpan()));
            Assert.Equal(lines[i].Split(' ').Select(v => short.Parse(v, CultureInfo.InvariantCulture)), block);
        }

        Assert.Equal(Enumerable.Range(0, SyntheticNwb.Channels).Select(c => 111 - c), recording.ChannelIds);
        Assert.Equal(Enumerable.Range(0, SyntheticNwb.Channels).Select(c => SyntheticNwb.Conversion * (float)(1 + (c / 100.0)) * 1e6), recording.GainsToMicrovolts);
        ProbeSite? first = recording.ChannelLayout!.Sites[0];
        Assert.Equal(new ProbeSite(0, 48, 100), first);
        Assert.Equal(0, recording.Clock.TimeOf(0));
        Assert.Equal(5432 / SyntheticNwb.RateHz, recording.Clock.TimeOf(5432), 12);
    }

    [RequiresTheory(Needs.Python)]
    [InlineData(false)]
    [InlineData(true)]
    public void ElectricalSeries_WrittenWithHdf5pluginLz4_ReadsAsTheSamplesWritten(bool shuffle)
    {
        // neuroconv and h5py users compress with hdf5plugin's codecs; Debian's plugin writes LZ4 (32004).
        string path = Synthetic();
        Python.Run(
            """
            import sys, h5py, hdf5plugin, numpy as np
            with h5py.File(sys.argv[1], 'r+') as f:
                es = f['acquisition/ElectricalSeriesAP']
                old = es['data']; data = old[:]; attrs = dict(old.attrs)
                del es['data']
                d = es.create_dataset('data', data=data, chunks=(1000, data.shape[1]), shuffle=sys.argv[2] == 'True', **hdf5plugin.LZ4())
                d.attrs.update(attrs)
                assert 32004 in d._filters or '32004' in d._filters, d._filters
            """,
            path,
            shuffle.ToString(CultureInfo.InvariantCulture));
        short[] truth = MemoryMarshal.Cast<byte, short>(File.ReadAllBytes(Path.ChangeExtension(path, ".bin"))).ToArray();
        using EphysRecording recording = new NwbEphysOpener().OpenEphys(path + "#ElectricalSeriesAP");
        var block = new short[700 * SyntheticNwb.Channels];

        foreach (long start in new long[] { 0, 999, 5432, SyntheticNwb.Samples - 700 })
        {
            recording.ReadBlock(start, 700, MemoryMarshal.AsBytes(block.AsSpan()));
            Assert.Equal(truth.AsSpan((int)start * SyntheticNwb.Channels, block.Length).ToArray(), block);
        }
    }

    [RequiresFact(Needs.Python)]
    public void ExtensionType_InheritingElectricalSeries_ReadsAsItsBase_OnItsStartingTime()
    {
        string path = Synthetic();
        using (NwbFile file = NwbFile.Open(path))
        {
            Assert.True(file.IsA("LFPSeriesX", "TimeSeries"));
            Assert.Equal(["LFPSeriesX", "ElectricalSeries", "TimeSeries", "NWBDataInterface", "NWBContainer", "Container"], file.Lineage("LFPSeriesX"));
        }

        using EphysRecording lfp = new NwbEphysOpener().OpenEphys(path + "#LFP");
        Assert.Equal(SyntheticNwb.LfpStartSeconds, lfp.Clock.StartSeconds);
        Assert.Equal(SyntheticNwb.LfpRateHz, lfp.Clock.MeanRateHz);

        // The offset attribute (0.001 V) travels as microvolts, added only when converting to µV.
        Assert.All(lfp.OffsetsMicrovolts, o => Assert.Equal(1000, o, 9));
        Assert.Equal(-1, lfp.Clock.IndexAtOrBefore(1.2));
    }

    [RequiresFact(Needs.Python)]
    public void UnitsAndTrials_Synthetic_IdsLabelsObservedSpanAndTrialColumns()
    {
        string path = Synthetic();
        ContainerSpikes read = new NwbSpikesOpener().ReadSpikes(path + "#units");
        using (read.Spikes)
        {
            // Unit 5 has no spikes: it has no events to list. Labels from the quality column.
            Assert.Equal([(3L, "good"), (8L, "good"), (13L, "mua")], read.Spikes.Units.Select(u => (u.Id, u.Label)));
            Assert.Equal(0, read.Clock.TimeOf(0));
            Assert.Equal(5.5, read.Clock.TimeOf(read.Clock.SampleCount - 1));
        }

        TimeColumnValues trials = TimeColumns.Read(path + "#trials", new TimeColumnRequest { AllOtherColumnsAsLabels = true, RowFilters = [("trial_type", "go")] });
        Assert.Equal([0.5, 2.25, 3.0], trials.Seconds);
        Assert.Equal(["go", "go", "go"], trials.Labels.Single(l => l.Name == "trial_type").Texts!);
        Assert.Equal(["a", "c,d", "e"], trials.Labels.Single(l => l.Name == "tags").Texts!);

        // TTL states as a pulse list: the rising edges' times.
        TimeColumnValues ttl = TimeColumns.Read(path + "#TTL", new TimeColumnRequest());
        Assert.Equal(Enumerable.Range(0, 10).Select(i => SyntheticNwb.TtlTime((4 * i) + 1)), ttl.Seconds);
    }

    [RequiresFact(Needs.Python)]
    public void BadInput_EachOneLineNamingFileAndWhat()
    {
        string good = Synthetic();
        string noVersion = Synthetic(version: null);
        string oldVersion = Synthetic("1.0.5");
        string ragged = _folder.File("ragged.nwb");
        File.Copy(good, ragged);
        Python.Run("import sys, h5py, numpy as np\nu = h5py.File(sys.argv[1], 'r+')['units']\nu['spike_times_index'][3] = 200", ragged);

        (Action Act, string Expect)[] cases =
        [
            (() => NwbFile.Open(noVersion).Dispose(), "nwb_version"),
            (() => NwbFile.Open(oldVersion).Dispose(), "NWB 2.x"),
            (() => new NwbSpikesOpener().ReadSpikes(good + "#unitz"), "nearest: units"),
            (() => new NwbEphysOpener().OpenEphys(good + "#Untimed").Dispose(), "neither starting_time"),
            (() => new NwbSpikesOpener().ReadSpikes(ragged + "#units"), "runs past its data"),
            (() => new NwbSpikesOpener().ReadSpikes(good + "#trials"), "neurodata_type TimeIntervals"),
            (() => NwbFile.Open(_folder.File("missing.nwb")).Dispose(), "missing.nwb"),
        ];
        foreach (var (act, expect) in cases)
        {
            var error = Assert.ThrowsAny<NeuroAlignException>(act);
            Assert.Contains(expect, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', error.Message);
        }
    }

    [RequiresFact(Needs.Python)]
    public void Timestamps_SearchedInBlocks_IndexAtOrBeforeAgreesWithTheTimes()
    {
        string path = Synthetic();
        using EphysRecording recording = new NwbEphysOpener().OpenEphys(path + "#ElectricalSeriesAP");
        SampleClock clock = recording.Clock;
        foreach (long k in new long[] { 0, 1, 8191, 8192, 8193, 10999 })
        {
            Assert.Equal(k, clock.IndexAtOrBefore(k / SyntheticNwb.RateHz));
            Assert.Equal(k, clock.IndexAtOrBefore((k + 0.5) / SyntheticNwb.RateHz));
        }
    }

    [RequiresFact(Needs.Python)]
    public void Timestamps_ReadInBlocks_FileClosedWhenTheRecordingIs()
    {
        // The gzip timestamps' chunk reader holds a handle of its own: closed with the stream, not by a finalizer some time later.
        string path = Synthetic();
        string full = Path.GetFullPath(path);
        int Handles() => Directory.GetFiles("/proc/self/fd").Count(fd => new FileInfo(fd).LinkTarget == full);
        int before = Handles();
        EphysRecording recording = new NwbEphysOpener().OpenEphys(path + "#ElectricalSeriesAP");
        Assert.Equal(9000, recording.Clock.IndexAtOrBefore(9000 / SyntheticNwb.RateHz));
        int open = Handles();

        recording.Dispose();

        Assert.True(open >= before + 2, $"{open} handles on the file while open, {before} before: the data's and the timestamps' readers");
        Assert.Equal(before, Handles());
    }

    [RequiresFact(Needs.Python)]
    public void Timestamps_NotIncreasing_RefusedInOneLine_FileClosed()
    {
        // The clock reads every time when it is made, through the chunk reader: refused, that reader is closed too.
        string path = Synthetic();
        Python.Run(
            """
            import sys, h5py
            with h5py.File(sys.argv[1], 'r+') as f:
                ts = f['acquisition/ElectricalSeriesAP/timestamps']
                ts[5000] = ts[4999]
            """,
            path);
        string full = Path.GetFullPath(path);
        int Handles() => Directory.GetFiles("/proc/self/fd").Count(fd => new FileInfo(fd).LinkTarget == full);

        var e = Assert.ThrowsAny<NeuroAlignException>(() => new NwbEphysOpener().OpenEphys(path + "#ElectricalSeriesAP"));

        Assert.Contains("not strictly increasing at sample 5000", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, Handles());
    }

    [Fact]
    public void BoundedChunkCache_HoldsAtMostItsBytes_AndReturnsWhatItHolds()
    {
        var cache = new BoundedChunkCache(3000);
        int reads = 0;
        Memory<byte> Chunk(int n) => new byte[n];
        for (ulong i = 0; i < 10; i++)
        {
            cache.GetChunk(i, () => { reads++; return Chunk(1000); });
            Assert.True(cache.Bytes <= 3000);
        }

        cache.GetChunk(9, () => { reads++; return Chunk(1000); });
        Assert.Equal(10, reads);
        cache.GetChunk(0, () => { reads++; return Chunk(1000); });
        Assert.Equal(11, reads);
    }
}

/// <summary>The ElectricalSeries stream (chunked gzip data, explicit timestamps) held to the shared stream contract; the truth is the raw binary numpy wrote.</summary>
public sealed class NwbSeriesStreamConformanceTests : SampleStreamConformance<EphysRecording>
{
    private readonly TempFolder _folder = new();
    private readonly Lazy<(string Nwb, short[] Raw)> _files;

    public NwbSeriesStreamConformanceTests() => _files = new(() =>
    {
        string path = _folder.File("c.nwb");
        SyntheticNwb.Write(path, samples: 3000, chunkSamples: 256);
        return (path, MemoryMarshal.Cast<byte, short>(File.ReadAllBytes(Path.ChangeExtension(path, ".bin"))).ToArray());
    });

    protected override Needs Needs => Needs.Python;

    protected override long ExpectedSampleCount => 3000;

    protected override string ExpectedFormatName => "nwb";

    protected override SampleType ExpectedElementType => SampleType.Int16;

    protected override IReadOnlyList<int> ExpectedSampleShape => [SyntheticNwb.Channels];

    protected override bool ExpectsSourceMemory => false;

    protected override EphysRecording OpenStream() => new NwbEphysOpener().OpenEphys(_files.Value.Nwb + "#acquisition/ElectricalSeriesAP");

    protected override void ExpectedSample(long index, Span<byte> destination) =>
        MemoryMarshal.AsBytes(_files.Value.Raw.AsSpan((int)index * SyntheticNwb.Channels, SyntheticNwb.Channels)).CopyTo(destination);

    protected override double ExpectedTimeSeconds(long index) => index / SyntheticNwb.RateHz;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _folder.Dispose();
    }
}
