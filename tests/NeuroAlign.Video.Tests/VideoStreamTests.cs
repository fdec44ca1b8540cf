using System.Globalization;
using NeuroAlign.Streams;
using NeuroAlign.TestData;
using NeuroAlign.Video.Tests.Support;

namespace NeuroAlign.Video.Tests;

[Collection(VideoCollection.Name)]
public sealed class VideoStreamTests(GeneratedVideos videos)
{
    private VideoOptions Options(VideoColor color = VideoColor.Gray, FrameSize? size = null, string? timestamps = null) =>
        new(color, size, timestamps, IndexCacheDirectory: videos.NewFolder());

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_VariableRateMkv_EveryFrameAtItsKnownTime()
    {
        using var stream = VideoStream.Open(videos.VariableRateMkv, Options());

        Assert.Equal(GeneratedVideos.VariableRateFrames, stream.Clock.SampleCount);
        for (long k = 0; k < stream.Clock.SampleCount; k++)
        {
            // Exactly the double of pts × 1 / 1000: no nominal rate anywhere.
            Assert.Equal(GeneratedVideos.MkvPtsMilliseconds(k) / 1000.0, stream.Clock.TimeOf(k));
        }
    }

    [Fact]
    public void FindRepeated_FramesUnderHalfTheMedianIntervalAfterTheOneBefore()
    {
        // 30 fps; frame 5 comes 16.5 ms after frame 4 (just under half of 33.3 ms): repeated; frame 12
        // 17 ms after frame 11 (just over): not; frame 20 0.1 ms after frame 19: repeated.
        const double interval = 1 / 30.0;
        double[] times = [.. Enumerable.Range(0, 30).Select(k => k * interval)];
        times[5] = times[4] + 0.0165;
        times[12] = times[11] + 0.017;
        times[20] = times[19] + 0.0001;
        Assert.Equal([5L, 20L], VideoStream.FindRepeated(new Time.ExplicitClock(times)));
        Assert.Empty(VideoStream.FindRepeated(new Time.ExplicitClock([.. Enumerable.Range(0, 30).Select(k => k * interval)])));
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void RepeatedFrames_JitteryVariableRateVideos_None()
    {
        // Their intervals wander by up to ±30 % (20 ± 6 ms; 3003 ± 999 ticks): jitter, not repeats.
        using var mkv = VideoStream.Open(videos.VariableRateMkv, Options());
        using var mp4 = VideoStream.Open(videos.VariableRateMp4, Options());
        Assert.Empty(mkv.RepeatedFrames);
        Assert.Empty(mp4.RepeatedFrames);
        Assert.Contains(mkv.Details, d => d.Key == "repeated" && d.Value == "none");
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_VariableRateMp4With90kTimeBase_EveryFrameAtItsKnownTime()
    {
        using var stream = VideoStream.Open(videos.VariableRateMp4, Options());

        Assert.Equal(GeneratedVideos.VariableRateFrames, stream.Clock.SampleCount);
        for (long k = 0; k < stream.Clock.SampleCount; k++)
        {
            Assert.Equal(GeneratedVideos.Mp4Pts90k(k) / 90000.0, stream.Clock.TimeOf(k));
        }
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_ConstantRateWithBFrames_TimesInPresentationOrder()
    {
        using var stream = VideoStream.Open(videos.ConstantRate, Options());

        Assert.Equal(GeneratedVideos.ConstantRateFrames, stream.Clock.SampleCount);
        for (long k = 0; k < stream.Clock.SampleCount; k++)
        {
            Assert.Equal(k * 512 / 12800.0, stream.Clock.TimeOf(k));
        }

        // The container gives the last frame's duration (one tick of 1/25 s).
        Assert.Equal(GeneratedVideos.ConstantRateFrames / 25.0, stream.Clock.EndSeconds, 12);
        Assert.Equal(25.0, stream.Clock.MeanRateHz, 9);
    }

    [RequiresFact(Needs.SharedData | Needs.Ffmpeg | Needs.Python)]
    public void Open_RealShort_TimesMatchFfprobePacketsThroughNumpy()
    {
        string path = Path.Combine(ExternalTools.SharedData, "video", "realshort.mp4");
        using var stream = VideoStream.Open(path, Options());

        double[] expected = NumpyOracle.FrameTimes(path);
        Assert.Equal(36, expected.Length);
        Assert.Equal(expected.Length, stream.Clock.SampleCount);
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.Equal(expected[k], stream.Clock.TimeOf(k));
        }

        // 45000/1499 fps: the mean rate comes from the times, not a rounded 30.
        Assert.Equal(45000.0 / 1499.0, stream.Clock.MeanRateHz, 9);
        Assert.Equal([240, 320], stream.SampleShape);
        Assert.Equal("h264", stream.CodecName);
    }

    [RequiresFact(Needs.Ffmpeg | Needs.Python)]
    public void Open_VariableRateMp4_TimesMatchFfprobePacketsThroughNumpy()
    {
        using var stream = VideoStream.Open(videos.VariableRateMp4, Options());

        double[] expected = NumpyOracle.FrameTimes(videos.VariableRateMp4);
        Assert.Equal(expected.Length, stream.Clock.SampleCount);
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.Equal(expected[k], stream.Clock.TimeOf(k));
        }
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Details_VariableRate_ListsCodecSizeCountRateAndIntervals()
    {
        using var stream = VideoStream.Open(videos.VariableRateMkv, Options());

        var details = stream.Details.ToDictionary(d => d.Key, d => d.Value);
        long[] pts = Enumerable.Range(0, GeneratedVideos.VariableRateFrames).Select(k => GeneratedVideos.MkvPtsMilliseconds(k)).ToArray();
        long minMs = pts.Zip(pts.Skip(1), (a, b) => b - a).Min();
        long maxMs = pts.Zip(pts.Skip(1), (a, b) => b - a).Max();
        Assert.StartsWith("h264 in matroska", details["codec"]);
        Assert.Equal("160x120", details["size"]);
        Assert.Equal("80", details["frames"]);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"min {minMs:F6} ms, max {maxMs:F6} ms"), details["frame interval"]);
        Assert.Contains("container packet pts, time base 1/1000", details["timestamps"]);
        double meanRate = 79 / (pts[^1] / 1000.0);
        Assert.StartsWith(meanRate.ToString("F6", CultureInfo.InvariantCulture), details["mean rate"]);
        Assert.Equal(minMs / 1000.0, stream.MinFrameIntervalSeconds, 12);
        Assert.Equal(maxMs / 1000.0, stream.MaxFrameIntervalSeconds, 12);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Properties_GrayAndRgb_ShapeAndTypeOfOneFrame()
    {
        using var gray = VideoStream.Open(videos.ConstantRate, Options());
        using var rgb = VideoStream.Open(videos.ConstantRate, Options(VideoColor.Rgb, new FrameSize(80, 60)));

        Assert.Equal(SampleType.UInt8, gray.ElementType);
        Assert.Equal([120, 160], gray.SampleShape);
        Assert.Equal([60, 80, 3], rgb.SampleShape);
        Assert.Equal(80 * 60 * 3, rgb.BytesPerSample());
        Assert.Equal("video", gray.FormatName);
    }
}
