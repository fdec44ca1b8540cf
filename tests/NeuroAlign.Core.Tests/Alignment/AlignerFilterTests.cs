using System.Runtime.InteropServices;
using NeuroAlign.Alignment;
using NeuroAlign.Core.Tests.Filtering;
using NeuroAlign.Filtering;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Alignment;

public sealed class AlignerFilterTests
{
    private const double Gain = 2.34375;

    [Fact]
    public void Run_WithFilter_WritesMaskOfEachWindowAndKeptFraction()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 3000, 8);
        using InterleavedBinaryStream stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 8, SampleRateHz: 1000, GainToMicrovolts: Gain));
        FilterSet rules = FilterSet.Parse(["signal > 0.8 mV and t < 2.95 s or channel == 3"]);
        CompiledFilter filter = rules.Compile(FilterTarget.ForStream(TestScopes.Stream(ModalityKind.Ephys), stream, stream.ElementType));
        var aligned = new AlignedStream("ephys", stream, ClockMap.Identity, new SamplingGrid(0.1, 0.2, 1000), IndexMode.Previous, filter: filter);
        var sink = new MemorySink();

        // The last window runs past the end of the recording: nothing passes there, even channel 3.
        AlignmentSummary summary = Aligner.Run([aligned], [0.5, 2.9], sink, new Dictionary<string, object>());

        ModalityLayout layout = sink.Layout!.Modalities[0];
        Assert.True(layout.HasMask);
        Assert.Equal("signal > 0.8 mV and t < 2.95 s or channel == 3", layout.Attributes["filter"]);
        long ones = 0, total = 0;
        for (int w = 0; w < 2; w++)
        {
            var (data, timestamps, sourceIndex, _) = sink.Windows[0][w];
            byte[] expected = ReferenceInterpreter.Mask(
                [rules.Rules[0].Parsed], filter.Target, MemoryMarshal.AsBytes(((short[])data).AsSpan()).ToArray(), timestamps, sourceIndex);
            Assert.Equal(expected, sink.Masks[0][w]);
            ones += expected.Count(b => b == 1);
            total += expected.Length;
        }

        Assert.All(sink.Masks[0][1][(200 * 8)..], b => Assert.Equal(0, b));
        Assert.Equal((double)ones / total, summary.Modalities[0].KeptFraction);
        Assert.InRange(summary.Modalities[0].KeptFraction!.Value, 0.2, 0.8);
    }

    [Fact]
    public void Run_WithoutFilter_HasNoMask()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 100, 2);
        using InterleavedBinaryStream stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 2, SampleRateHz: 1000));
        var aligned = new AlignedStream("ephys", stream, ClockMap.Identity, new SamplingGrid(0, 0.01, 1000), IndexMode.Previous);
        var sink = new MemorySink();

        AlignmentSummary summary = Aligner.Run([aligned], [0.05], sink, new Dictionary<string, object>());

        Assert.False(sink.Layout!.Modalities[0].HasMask);
        Assert.Empty(sink.Masks[0]);
        Assert.Null(summary.Modalities[0].KeptFraction);
        Assert.False(sink.Layout.Modalities[0].Attributes.ContainsKey("filter"));
    }

    [Fact]
    public void Run_LinearInterpolation_FiltersTheInterpolatedValues()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 1000, 4);
        using InterleavedBinaryStream stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 4, SampleRateHz: 1000, GainToMicrovolts: Gain));
        FilterSet rules = FilterSet.Parse(["abs(signal) < 20 mV"]);
        CompiledFilter filter = rules.Compile(FilterTarget.ForStream(TestScopes.Stream(ModalityKind.Ephys), stream, SampleType.Float32));
        var aligned = new AlignedStream("ephys", stream, ClockMap.Identity, new SamplingGrid(0, 0.1, 1500), IndexMode.Linear, filter: filter);
        var sink = new MemorySink();

        AlignmentSummary summary = Aligner.Run([aligned], [0.3], sink, new Dictionary<string, object>());

        var (data, timestamps, sourceIndex, _) = sink.Windows[0][0];
        byte[] expected = ReferenceInterpreter.Mask(
            [rules.Rules[0].Parsed], filter.Target, MemoryMarshal.AsBytes(((float[])data).AsSpan()).ToArray(), timestamps, sourceIndex);
        Assert.Equal(expected, sink.Masks[0][0]);
        Assert.NotNull(summary.Modalities[0].KeptFraction);
    }

    [Fact]
    public void AlignedStream_FilterCompiledForAnotherLayout_Throws()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 100, 4);
        using InterleavedBinaryStream stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 4, SampleRateHz: 1000));
        CompiledFilter storedType = FilterSet.Parse(["signal > 1"]).Compile(FilterTarget.ForStream(TestScopes.Stream(ModalityKind.Ephys), stream, stream.ElementType));

        // Interpolated output is float32: a filter compiled for the stored int16 cannot read it.
        Assert.Throws<ArgumentException>(() => new AlignedStream(
            "ephys", stream, ClockMap.Identity, new SamplingGrid(0, 0.01, 1000), IndexMode.Linear, filter: storedType));
    }
}
