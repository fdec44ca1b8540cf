using System.Runtime.InteropServices;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Streams;

public class MicrovoltStreamTests
{
    [Fact]
    public void ReadBlock_Int16_IsCountTimesGainRoundedOnceToFloat32()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 9000, 3);
        using var counts = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 3, GainToMicrovolts: 0.195));
        var microvolts = new MicrovoltStream(counts);

        var block = new byte[microvolts.FrameBytes * 8500];
        microvolts.ReadBlock(300, 8500, block);
        ReadOnlySpan<float> values = MemoryMarshal.Cast<byte, float>(block);

        Assert.Equal(SampleType.Float32, microvolts.ElementType);
        Assert.All(microvolts.GainsToMicrovolts, g => Assert.Equal(1.0, g));
        for (int k = 0; k < 8500; k++)
        {
            for (int c = 0; c < 3; c++)
            {
                Assert.Equal((float)(SyntheticEphys.Value(300 + k, c) * 0.195), values[(k * 3) + c]);
            }
        }
    }

    [Fact]
    public void ReadBlock_ChannelSubsetOfUInt16_ScalesEachChannelByItsOwnGain()
    {
        using var folder = new TempFolder();
        string path = folder.File("u.dat");
        ushort[] raw = [1, 2, 3, 40000, 5, 6];
        File.WriteAllBytes(path, MemoryMarshal.AsBytes(raw.AsSpan()).ToArray());
        using var counts = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 3, ElementType: SampleType.UInt16, GainToMicrovolts: 2));
        using ContinuousStream subset = counts.SelectChannels([2, 0]);
        var microvolts = new MicrovoltStream(subset);

        var block = new byte[microvolts.FrameBytes * 2];
        microvolts.ReadBlock(0, 2, block);

        Assert.Equal([6f, 2f, 12f, 80000f], MemoryMarshal.Cast<byte, float>(block).ToArray());
        Assert.Contains(microvolts.Details, d => d.Key == "units");
    }
}
