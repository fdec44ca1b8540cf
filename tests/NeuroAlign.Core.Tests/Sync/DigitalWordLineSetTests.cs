using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;
using NeuroAlign.Sync;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Sync;

public class DigitalWordLineSetTests
{
    private const int Channels = 4;
    private const int WordColumn = 2;

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    [InlineData(5000)]
    public void GetAllEdges_AnyWindowSize_MatchesABruteForceScan(int windowSamples)
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 2000, Channels);
        using var stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: Channels));
        int[] bits = [0, 5, 15];
        var set = new DigitalWordLineSet("word", stream, WordColumn, bits.Select(b => (new DigitalLine(100 + b, ""), b)), windowSamples);

        IReadOnlyList<DigitalEdges> all = set.GetAllEdges();

        for (int i = 0; i < bits.Length; i++)
        {
            bool Bit(long k) => ((ushort)SyntheticEphys.Value(k, WordColumn) >> bits[i] & 1) != 0;
            var rising = new List<long>();
            var falling = new List<long>();
            for (long k = 1; k < 2000; k++)
            {
                if (Bit(k) != Bit(k - 1))
                {
                    (Bit(k) ? rising : falling).Add(k);
                }
            }

            Assert.Equal(100 + bits[i], all[i].Line);
            Assert.Equal(Bit(0), all[i].InitialState);
            Assert.Equal(rising, all[i].RisingSamples);
            Assert.Equal(falling, all[i].FallingSamples);
            for (long k = 0; k < 2000; k += 37)
            {
                Assert.Equal(Bit(k), all[i].StateAt(k));
            }
        }

        Assert.Same(all[1], set.GetAllEdges()[1]);
        Assert.Equal(5, set.BitOf(105));
    }

    [Fact]
    public void GetEdges_OneLineThenAll_ScansEachLineOnceAndKeepsIt()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 500, Channels);
        using var stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: Channels));
        var set = new DigitalWordLineSet("word", stream, WordColumn, [(new DigitalLine(0, ""), 0), (new DigitalLine(9, ""), 9)], windowSamples: 64);

        DigitalEdges first = set.GetEdges(9);
        IReadOnlyList<DigitalEdges> all = set.GetAllEdges();

        Assert.Same(first, all[1]);
        Assert.Same(all[0], set.GetEdges(0));
        Assert.NotEmpty(all[0].RisingSamples);
    }

    [Fact]
    public void GetEdges_BigEndianStream_ReadsThroughTheSwappingPath()
    {
        using var folder = new TempFolder();
        string path = folder.File("be.dat");
        var bytes = new byte[200 * 2];
        for (int k = 0; k < 200; k++)
        {
            // Big-endian 0x0100 at samples 50..149: bit 8 high there.
            bytes[2 * k] = (byte)(k is >= 50 and < 150 ? 1 : 0);
        }

        File.WriteAllBytes(path, bytes);
        using var stream = InterleavedBinaryStream.Open(
            new InterleavedLayout(path, 0, 1, SampleType.UInt16, BigEndian: true),
            n => new NeuroAlign.Time.RegularClock(0, 1000, n),
            null,
            null,
            "test");
        var set = new DigitalWordLineSet("be", stream, 0, [(new DigitalLine(8, ""), 8)], windowSamples: 64);

        DigitalEdges edges = set.GetEdges(8);

        Assert.Equal([50L], edges.RisingSamples);
        Assert.Equal([150L], edges.FallingSamples);
    }

    [Fact]
    public void GetEdges_UnknownLine_ListsTheLines()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 10, Channels);
        using var stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: Channels));
        var set = new DigitalWordLineSet("SY0 word", stream, 3, [(new DigitalLine(6, "sync input"), 6)]);

        var e = Assert.Throws<NeuroAlignException>(() => set.GetEdges(2));

        Assert.Contains("SY0 word", e.Message);
        Assert.Contains("lines are 6", e.Message);
        Assert.Equal("SY0 word: lines 6 (sync input)", set.Describe());
    }

    [Fact]
    public void StateAt_NoEdges_IsTheInitialState()
    {
        var high = new DigitalEdges(1, true, [], []);

        Assert.True(high.StateAt(0));
        Assert.True(high.StateAt(long.MaxValue));
    }
}
