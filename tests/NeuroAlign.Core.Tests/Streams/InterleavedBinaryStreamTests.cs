using System.Buffers.Binary;
using System.Runtime.InteropServices;
using NeuroAlign.Formats;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Streams;

public class InterleavedBinaryStreamTests
{
    [Fact]
    public void GetWindow_KnownFile_MatchesEveryValue()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 3000, 32, headerBytes: 100);

        using var stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 32, HeaderBytes: 100));
        ReadOnlySpan<short> window = stream.GetWindow<short>(1234, 500);

        Assert.Equal(3000, stream.SampleCount);
        for (int k = 0; k < 500; k++)
        {
            for (int c = 0; c < 32; c++)
            {
                Assert.Equal(SyntheticEphys.Value(1234 + k, c), window[(k * 32) + c]);
            }
        }
    }

    [Fact]
    public void Open_SizeNotWholeSamples_SaysHowManyBytesAreLeftOver()
    {
        using var folder = new TempFolder();
        string path = folder.File("trunc.dat");
        File.WriteAllBytes(path, new byte[(384 * 2 * 10) + 7]);

        var e = Assert.Throws<InvalidRecordingException>(() => RawBinaryReader.Open(path, new RawBinaryOptions()));

        Assert.Contains("trunc.dat", e.Message);
        Assert.Contains("7 bytes left over", e.Message);
        Assert.Contains("768", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Open_MissingFile_SaysNoSuchFile()
    {
        var e = Assert.Throws<NeuroAlignException>(() => RawBinaryReader.Open("/nonexistent/x.dat", new RawBinaryOptions()));

        Assert.Contains("/nonexistent/x.dat", e.Message);
        Assert.Contains("no such", e.Message);
    }

    [Theory]
    [InlineData(SampleType.UInt16)]
    [InlineData(SampleType.Int32)]
    [InlineData(SampleType.Float32)]
    public void ReadBlock_OtherDtypes_ReturnsStoredValues(SampleType type)
    {
        using var folder = new TempFolder();
        string path = folder.File("x.bin");
        int size = type.SizeOf();
        var bytes = new byte[100 * 4 * size];
        for (int i = 0; i < 400; i++)
        {
            switch (type)
            {
                case SampleType.UInt16: BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(i * 2), (ushort)(i * 100)); break;
                case SampleType.Int32: BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(i * 4), -i * 100_000); break;
                default: BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), i * 0.25f); break;
            }
        }

        File.WriteAllBytes(path, bytes);
        using var stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 4, ElementType: type));
        var block = new byte[10 * 4 * size];
        stream.ReadBlock(50, 10, block);

        Assert.Equal(100, stream.SampleCount);
        Assert.Equal(bytes.AsSpan(50 * 4 * size, 10 * 4 * size).ToArray(), block);
    }

    [Fact]
    public void ReadBlock_BigEndian_SwapsToMachineOrder()
    {
        using var folder = new TempFolder();
        string path = folder.File("be.bin");
        var bytes = new byte[6 * 2];
        for (int i = 0; i < 6; i++)
        {
            BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(i * 2), (short)(-1000 + i));
        }

        File.WriteAllBytes(path, bytes);
        using var stream = InterleavedBinaryStream.Open(
            new InterleavedLayout(path, 0, 2, SampleType.Int16, BigEndian: true),
            n => new NeuroAlign.Time.RegularClock(0, 1, n),
            null,
            null,
            "test");
        var block = new short[6];
        stream.ReadBlock(0, 3, MemoryMarshal.AsBytes(block.AsSpan()));

        Assert.Equal(new short[] { -1000, -999, -998, -997, -996, -995 }, block);
        Assert.False(stream.TryGetWindow(0, 1, out _));
        Assert.False(((ISampleStream)stream).TryGetSourceMemory(0, 1, out ReadOnlyMemory<byte> none));
        Assert.True(none.IsEmpty);
    }

    [Fact]
    public void TryGetSourceMemory_NativeOrder_TheMappedBytesOfThoseSamples()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 3000, 32, headerBytes: 100);
        byte[] file = File.ReadAllBytes(path);

        using ContinuousStream stream = EphysReader.Open(path, new EphysOpenOptions { Raw = new RawBinaryOptions(ChannelCount: 32, HeaderBytes: 100) });
        bool inPlace = ((ISampleStream)stream).TryGetSourceMemory(1234, 500, out ReadOnlyMemory<byte> memory);

        Assert.True(inPlace);
        Assert.True(memory.Span.SequenceEqual(file.AsSpan(100 + (1234 * 64), 500 * 64)));
        Assert.Throws<ArgumentOutOfRangeException>(() => stream.TryGetSourceMemory(2600, 401, out _));
    }

    [Fact]
    public void TryGetSourceMemory_TransformingViews_NothingInPlace()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 100, 4);
        using ContinuousStream stream = EphysReader.Open(path, new EphysOpenOptions { Raw = new RawBinaryOptions(ChannelCount: 4) });

        Assert.False(stream.SelectChannels([0, 1, 2, 3]).TryGetSourceMemory(0, 10, out _));
        Assert.False(new MicrovoltStream(stream).TryGetSourceMemory(0, 10, out _));
    }

    [Fact]
    public void SelectChannels_Subset_GathersChosenChannelsInOrder()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 10_000, 64);
        using var stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 64)).SelectChannels(
            ChannelSelection.Resolve(RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 64)), "40-42,3"));

        var block = new short[9000 * 4];
        stream.ReadBlock(500, 9000, MemoryMarshal.AsBytes(block.AsSpan()));

        Assert.Equal(new[] { 40, 41, 42, 3 }, stream.ChannelIds);
        for (int k = 0; k < 9000; k++)
        {
            Assert.Equal(SyntheticEphys.Value(500 + k, 40), block[k * 4]);
            Assert.Equal(SyntheticEphys.Value(500 + k, 3), block[(k * 4) + 3]);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    public void SelectChannels_OneChannelAcrossBlocks_StridedValues(int channel)
    {
        // 9 000 rows: more than two of the 4 096-row blocks the view gathers at a time.
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 10_000, 64);
        using var stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 64)).SelectChannels([channel]);

        var values = new short[9000];
        stream.ReadBlock(777, 9000, MemoryMarshal.AsBytes(values.AsSpan()));

        for (int k = 0; k < 9000; k++)
        {
            Assert.Equal(SyntheticEphys.Value(777 + k, channel), values[k]);
        }
    }

    [Fact]
    public void GetWindow_FileLargerThan4GiB_ReadsPastTheIntRange()
    {
        // A sparse file: 5 GiB on paper, a few bytes on disk. Windows past 2^31 and 2^32 bytes
        // must come from the right place (spans are int-sized; offsets are not).
        using var folder = new TempFolder();
        string path = folder.File("big.dat");
        const int Channels = 384;
        const long Samples = (5L << 30) / (Channels * 2);
        long marker = Samples - 10;
        using (var file = new FileStream(path, FileMode.Create, FileAccess.Write))
        {
            file.SetLength(Samples * Channels * 2);
            file.Position = marker * Channels * 2;
            var row = new byte[Channels * 2];
            BinaryPrimitives.WriteInt16LittleEndian(row, 1234);
            BinaryPrimitives.WriteInt16LittleEndian(row.AsSpan((Channels - 1) * 2), -4321);
            file.Write(row);
        }

        using var stream = RawBinaryReader.Open(path, new RawBinaryOptions());
        ReadOnlySpan<short> window = stream.GetWindow<short>(marker - 1, 3);

        Assert.Equal(Samples, stream.SampleCount);
        Assert.Equal(0, window[0]);
        Assert.Equal(1234, window[Channels]);
        Assert.Equal(-4321, window[(2 * Channels) - 1]);
    }
}
