using System.Runtime.InteropServices;
using NeuroAlign.Alignment;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Alignment;

public class AlignerTests
{
    private static (MemorySink Sink, AlignmentSummary Summary) Align(
        string path, double[] times, double before, double after, IndexMode mode = IndexMode.Previous, double? rateHz = null)
    {
        var stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 8, SampleRateHz: 1000));
        var aligned = new AlignedStream("ephys", stream, ClockMap.Identity, new SamplingGrid(before, after, rateHz ?? 1000), mode);
        var sink = new MemorySink();
        AlignmentSummary summary = Aligner.Run([aligned], times, sink, new Dictionary<string, object>());
        stream.Dispose();
        return (sink, summary);
    }

    [Fact]
    public void Run_NativeRate_CopiesTheWindowsSamples()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 5000, 8);

        var (sink, summary) = Align(path, [2.5, 0.25], before: 0.1, after: 0.2);

        Assert.True(sink.Completed);
        Assert.Equal(0, summary.Modalities[0].SamplesOutside);
        var (data, timestamps, sourceIndex, sourceTime) = sink.Windows[0][0];
        Assert.Equal(300, timestamps.Length);
        Assert.Equal(2400, sourceIndex[0]);
        Assert.Equal(2.4, timestamps[0], 12);
        Assert.Equal(2.4, sourceTime[0], 12);
        short[] values = (short[])data;
        for (int k = 0; k < 300; k++)
        {
            Assert.Equal(2400 + k, sourceIndex[k]);
            for (int c = 0; c < 8; c++)
            {
                Assert.Equal(SyntheticEphys.Value(2400 + k, c), values[(k * 8) + c]);
            }
        }

        Assert.Equal(150, sink.Windows[0][1].SourceIndex[0]);
    }

    [Fact]
    public void Run_WindowPastTheEnd_MarksOutsideAndZeroes()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 1000, 8);

        var (sink, summary) = Align(path, [0.9, -0.05, 5], before: 0, after: 0.2);

        Assert.Equal(100 + 50 + 200, summary.Modalities[0].SamplesOutside);
        Assert.Equal(3, summary.Modalities[0].WindowsIncomplete);
        var first = sink.Windows[0][0];
        Assert.Equal(999, first.SourceIndex[99]);
        Assert.Equal(-1, first.SourceIndex[100]);
        Assert.True(double.IsNaN(first.SourceTime[100]));
        Assert.All(((short[])first.Data)[(100 * 8)..], v => Assert.Equal(0, v));
        Assert.Equal(-1, sink.Windows[0][1].SourceIndex[49]);
        Assert.Equal(0, sink.Windows[0][1].SourceIndex[50]);
        Assert.Equal(150L, sink.Layout!.Modalities[0].Attributes["samples_outside"] is long l ? l - 200 : -1);
    }

    [Fact]
    public void Run_Downsampled_PicksPreviousSample()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 5000, 8);

        var (sink, _) = Align(path, [1.0], before: 0, after: 1, rateHz: 30);

        long[] index = sink.Windows[0][0].SourceIndex;
        Assert.Equal(30, index.Length);
        for (int k = 0; k < 30; k++)
        {
            // Grid point k is at 1 + k/30 s: the sample at or before it is floor(1000 + k·1000/30).
            Assert.Equal(1000 + (k * 1000 / 30), index[k]);
        }
    }

    [Fact]
    public void Run_Linear_InterpolatesBetweenSamples()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 5000, 8);

        var (sink, _) = Align(path, [1.0], before: 0, after: 0.01, IndexMode.Linear, rateHz: 4000);

        float[] values = (float[])sink.Windows[0][0].Data;
        Assert.Equal(40 * 8, values.Length);
        // Point 1 is at 1.00025 s: a quarter of the way from sample 1000 to 1001.
        double expected = SyntheticEphys.Value(1000, 3) + (0.25 * (SyntheticEphys.Value(1001, 3) - SyntheticEphys.Value(1000, 3)));
        Assert.Equal(expected, values[8 + 3], 2);
        Assert.Equal(SyntheticEphys.Value(1001, 3), values[(4 * 8) + 3]);
        Assert.Equal(SyntheticEphys.Value(1000, 5), MemoryMarshal.Cast<float, float>(values)[5]);
    }

    [Fact]
    public void Run_NoWindows_Throws()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 10, 8);

        Assert.Throws<NeuroAlignException>(() => Align(path, [], 0, 1));
    }
}
