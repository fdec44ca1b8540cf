using NeuroAlign.Streams;
using NeuroAlign.Sync;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Sync;

public class LedPulsesTests
{
    /// <summary>Frames 20x10 (RGB when channels is 3): dark (30) everywhere, the LED at columns 2-4, rows 1-2 at level(k).</summary>
    private sealed class LedFrames(int frames, Func<int, byte> level, int channels = 1) : ISampleStream
    {
        public string SourcePath => "synthetic-led";

        public string FormatName => "synthetic";

        public SampleClock Clock { get; } = new RegularClock(10, 25, frames);

        public SampleType ElementType => SampleType.UInt8;

        public IReadOnlyList<int> SampleShape => channels == 1 ? [10, 20] : [10, 20, channels];

        public IReadOnlyList<KeyValuePair<string, string>> Details => [];

        public List<int> BatchSizes { get; } = [];

        public void ReadSamples(ReadOnlySpan<long> indices, Span<byte> destination)
        {
            BatchSizes.Add(indices.Length);
            int bytes = 200 * channels;
            for (int i = 0; i < indices.Length; i++)
            {
                Span<byte> frame = destination.Slice(i * bytes, bytes);
                frame.Fill(30);
                for (int y = 1; y < 3; y++)
                {
                    frame.Slice(((y * 20) + 2) * channels, 3 * channels).Fill(level((int)indices[i]));
                }
            }
        }

        public void Dispose()
        {
        }
    }

    private static bool On(int k) => k % 17 is >= 5 and < 9;

    [Fact]
    public void Detect_LedInRegion_FindsEachOnsetAtItsFirstBrightFrame()
    {
        using var frames = new LedFrames(100, k => On(k) ? (byte)230 : (byte)30);

        PulseTrain rising = LedPulses.Detect(frames, new LedPulseOptions { Region = new FrameRegion(2, 1, 3, 2), BatchBytes = 7 * 200 }, "video");
        int[] batches = [.. frames.BatchSizes];
        PulseTrain falling = LedPulses.Detect(frames, new LedPulseOptions { Edge = EdgeKind.Falling }, "video");

        double[] onsets = [.. Enumerable.Range(1, 99).Where(k => On(k) && !On(k - 1)).Select(k => 10 + (k / 25.0))];
        double[] offsets = [.. Enumerable.Range(1, 99).Where(k => !On(k) && On(k - 1)).Select(k => 10 + (k / 25.0))];
        Assert.Equal(onsets, rising.Seconds, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal(offsets, falling.Seconds, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.Equal(1 / 25.0, rising.ResolutionSeconds!.Value, 12);
        Assert.Equal([.. Enumerable.Repeat(7, 14), 2], batches);
        Assert.Contains("region 2,1,3,2, rising edges", rising.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void MeanIntensities_RgbRegion_AveragesEveryChannel()
    {
        using var frames = new LedFrames(3, k => (byte)(100 + k), channels: 3);

        double[] region = LedPulses.MeanIntensities(frames, new FrameRegion(2, 1, 3, 2));
        double[] whole = LedPulses.MeanIntensities(frames, null);

        Assert.Equal([100.0, 101, 102], region);
        Assert.Equal(30 + (6 * 70 / 200.0), whole[0], 12);
    }

    [Fact]
    public void Detect_NoContrast_RefusesWithTheLevels()
    {
        using var frames = new LedFrames(50, k => On(k) ? (byte)31 : (byte)30);

        var e = Assert.Throws<NeuroAlignException>(() => LedPulses.Detect(frames, new LedPulseOptions { Region = new FrameRegion(2, 1, 3, 2) }, "video"));

        Assert.Equal(
            "video (synthetic-led): no LED pulse visible in the mean intensity over region 2,1,3,2: its 5th and 95th percentiles are 30.00 and 31.00 gray levels, a contrast of 1.00, expected at least 4; give the LED's region with 'video-led-roi' X,Y,W,H",
            e.Message);
    }

    [Theory]
    [InlineData("1,2,3", "'1,2,3' is not a region")]
    [InlineData("1,2,0,4", "'1,2,0,4' is not a region")]
    [InlineData("-1,2,3,4", "'-1,2,3,4' is not a region")]
    public void Parse_BadRegion_Throws(string text, string expected)
    {
        var e = Assert.Throws<NeuroAlignException>(() => FrameRegion.Parse(text));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MeanIntensities_RegionOutsideTheFrame_Throws()
    {
        using var frames = new LedFrames(3, k => 30);

        var e = Assert.Throws<NeuroAlignException>(() => LedPulses.MeanIntensities(frames, new FrameRegion(15, 0, 6, 2)));

        Assert.Equal("synthetic-led: LED region 15,0,6,2 (x,y,w,h) leaves the 20x10 frame", e.Message);
    }
}
