using NeuroAlign.Hdf5.Compression;

namespace NeuroAlign.Hdf5.Tests.Compression;

public class ChunkOutputTests
{
    [Fact]
    public void ReserveAdvanceWrite_KeepWhatWasWrittenAcrossGrowth()
    {
        var output = new ChunkOutput(16);
        Span<byte> room = output.Reserve(10);
        for (int i = 0; i < 10; i++)
        {
            room[i] = (byte)(i + 1);
        }

        output.Advance(4);

        // Grows past the first buffer: the kept bytes move along, the unkept room is not kept.
        output.Write(Enumerable.Range(100, 40).Select(i => (byte)i).ToArray());
        output.WriteByte(7);

        byte[] expected = [1, 2, 3, 4, .. Enumerable.Range(100, 40).Select(i => (byte)i), 7];
        Assert.Equal(expected, output.Written.ToArray());
        Assert.Equal(expected.Length, output.Length);
        Assert.True(output.Capacity >= expected.Length);
    }

    [Fact]
    public void Advance_PastTheBuffer_Throws()
    {
        var output = new ChunkOutput(16);
        output.Reserve(8);
        Assert.Throws<ArgumentOutOfRangeException>(() => output.Advance(17));
        Assert.Throws<ArgumentOutOfRangeException>(() => output.Advance(-1));
    }

    [Fact]
    public void Clear_StartsOverInTheSameBuffer()
    {
        var output = new ChunkOutput(64);
        output.Write([1, 2, 3]);
        int capacity = output.Capacity;
        output.Clear();
        output.Write([9]);
        Assert.Equal([9], output.Written.ToArray());
        Assert.Equal(capacity, output.Capacity);
    }
}
