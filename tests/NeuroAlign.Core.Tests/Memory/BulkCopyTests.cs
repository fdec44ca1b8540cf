using System.Runtime.InteropServices;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Memory;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Memory;

public class BulkCopyTests
{
    [Theory]
    [InlineData(0, 0, 1000)]
    [InlineData(0, 0, BulkCopy.ParallelThresholdBytes)]
    [InlineData(3, 5, BulkCopy.ParallelThresholdBytes + 37)]
    [InlineData(17, 1, (3 * BulkCopy.ParallelThresholdBytes) + 129)]
    public void Copy_AnyAlignmentAndLength_EqualsSourceAndLeavesTheRestAlone(int sourceOffset, int destinationOffset, long length)
    {
        var random = new Random(11);
        byte[] source = new byte[sourceOffset + length];
        random.NextBytes(source);
        byte[] destination = new byte[destinationOffset + length + 64];
        Array.Fill(destination, (byte)0xAB);

        BulkCopy.Copy(source.AsSpan(sourceOffset), destination.AsSpan(destinationOffset));

        Assert.True(source.AsSpan(sourceOffset).SequenceEqual(destination.AsSpan(destinationOffset, (int)length)));
        Assert.All(destination[..destinationOffset], b => Assert.Equal(0xAB, b));
        Assert.All(destination[(destinationOffset + (int)length)..], b => Assert.Equal(0xAB, b));
    }

    [Fact]
    public void Copy_DestinationTooSmall_Throws()
    {
        Assert.Throws<ArgumentException>(() => BulkCopy.Copy(new byte[10], new byte[9]));
    }

    [Theory]
    [InlineData(7L, 1L)]
    [InlineData(100_000L, 768L)]
    [InlineData(3L, 64L << 20)]
    public void ForRows_LargeOrSmall_CoversEveryRowExactlyOnce(long rows, long bytesPerRow)
    {
        int[] seen = new int[rows];
        BulkCopy.ForRows(rows, bytesPerRow, (first, count) =>
        {
            for (long r = first; r < first + count; r++)
            {
                Interlocked.Increment(ref seen[r]);
            }
        });

        Assert.All(seen, n => Assert.Equal(1, n));
    }

    [Theory]
    [InlineData(new[] { 5 })]
    [InlineData(new[] { 63, 0, 17 })]
    public void SelectChannels_WindowAboveTheParallelThreshold_GathersEveryRow(int[] channels)
    {
        // 70 000 samples x 64 int16 channels span 8.96 MB of source: the rows are split over the cores.
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        const int samples = 70_000;
        SyntheticEphys.WriteInt16(path, samples, 64);
        Assert.True(samples * 64L * 2 >= BulkCopy.ParallelThresholdBytes);
        using ContinuousStream stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 64)).SelectChannels(channels);
        var values = new short[(samples - 11) * channels.Length];

        stream.ReadBlock(11, samples - 11, MemoryMarshal.AsBytes(values.AsSpan()));

        for (int k = 0; k < samples - 11; k++)
        {
            for (int c = 0; c < channels.Length; c++)
            {
                if (values[(k * channels.Length) + c] != SyntheticEphys.Value(11 + k, channels[c]))
                {
                    Assert.Fail($"sample {11 + k}, channel {channels[c]}: {values[(k * channels.Length) + c]}, expected {SyntheticEphys.Value(11 + k, channels[c])}");
                }
            }
        }
    }
}
