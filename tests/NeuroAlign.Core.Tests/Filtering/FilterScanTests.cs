using System.Runtime.InteropServices;
using NeuroAlign.Filtering;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Filtering;

public sealed class FilterScanTests
{
    [Fact]
    public void Run_WholeRecording_CountsWhatTheInterpreterKeeps()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        const int Samples = 70_000, Channels = 64;
        SyntheticEphys.WriteInt16(path, Samples, Channels);
        using InterleavedBinaryStream stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: Channels, SampleRateHz: 1000, GainToMicrovolts: 0.195));
        FilterSet rules = FilterSet.Parse(["signal > 1 mV or t < 3 s and channel > 60"]);
        CompiledFilter filter = rules.Compile(FilterTarget.ForStream(TestScopes.Stream(ModalityKind.Ephys), stream, stream.ElementType));
        var reports = new List<FilterScanProgress>();

        FilterScanResult result = FilterScan.Run(stream, filter, ClockMap.Offset(-1.5), new SynchronousProgress(reports.Add));

        // Scan windows are 8 MB: 70 000 samples of 128 bytes make 2 windows.
        Assert.Equal(2, reports.Count);
        Assert.Equal(reports[^1].WindowCount, reports[^1].WindowsDone);
        Assert.Equal((long)Samples * Channels * 2, result.BytesRead);
        long expected = 0;
        for (int k = 0; k < Samples; k++)
        {
            double t = (k / 1000.0) - 1.5;
            for (int c = 0; c < Channels; c++)
            {
                expected += (SyntheticEphys.Value(k, c) * 0.195) > 1000 || (t < 3 && c > 60) ? 1 : 0;
            }
        }

        Assert.Equal(expected, result.Kept);
        Assert.Equal((long)Samples * Channels, result.Values);
        Assert.InRange(result.KeptFraction, 0.01, 0.99);
    }

    [Fact]
    public void Run_Twice_ReadsTheSameValuesAfterReleasingPages()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 100_000, 48);
        using InterleavedBinaryStream stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 48, SampleRateHz: 1000));
        CompiledFilter filter = FilterSet.Parse(["signal > 100"]).Compile(FilterTarget.ForStream(TestScopes.Stream(ModalityKind.Ephys), stream, stream.ElementType));

        FilterScanResult first = FilterScan.Run(stream, filter, ClockMap.Identity);
        FilterScanResult second = FilterScan.Run(stream, filter, ClockMap.Identity);

        // Released pages fault back in from the file: nothing is lost.
        Assert.Equal(first.Kept, second.Kept);
        var block = new short[48];
        stream.ReadBlock(54_321, 1, MemoryMarshal.AsBytes(block.AsSpan()));
        Assert.Equal(SyntheticEphys.Value(54_321, 47), block[47]);
    }

    [Fact]
    public void Run_ChannelSubsetWithoutZeroCopy_ReadsThroughCopies()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 5000, 8);
        using InterleavedBinaryStream source = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 8, SampleRateHz: 1000));
        using ContinuousStream subset = source.SelectChannels([6, 1]);
        CompiledFilter filter = FilterSet.Parse(["signal < 0"]).Compile(FilterTarget.ForStream(TestScopes.Stream(ModalityKind.Ephys), subset, subset.ElementType));

        FilterScanResult result = FilterScan.Run(subset, filter, ClockMap.Identity);

        long expected = Enumerable.Range(0, 5000).Sum(k => (SyntheticEphys.Value(k, 6) < 0 ? 1 : 0) + (SyntheticEphys.Value(k, 1) < 0 ? 1 : 0));
        Assert.Equal(expected, result.Kept);
    }

    [Fact]
    public void Run_FilterForAnotherLayout_Throws()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 10, 8);
        using InterleavedBinaryStream stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 8, SampleRateHz: 1000));
        CompiledFilter filter = FilterSet.Parse(["signal < 0"]).Compile(new FilterTarget(TestScopes.Of(ModalityKind.Ephys), SampleType.Float32, 8));

        Assert.Throws<ArgumentException>(() => FilterScan.Run(stream, filter, ClockMap.Identity));
    }

    /// <summary>Progress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SynchronousProgress(Action<FilterScanProgress> report) : IProgress<FilterScanProgress>
    {
        public void Report(FilterScanProgress value) => report(value);
    }
}
