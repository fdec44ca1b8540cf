using NeuroAlign.TestData;
using NeuroAlign.Video.Tests.Support;

namespace NeuroAlign.Video.Tests;

/// <summary>Decoding through <see cref="VideoStream"/>, checked byte for byte against a full sequential ffmpeg decode.</summary>
[Collection(VideoCollection.Name)]
public sealed class FrameDecoderTests(GeneratedVideos videos)
{
    private VideoOptions Options(VideoColor color = VideoColor.Gray, FrameSize? size = null) =>
        new(color, size, IndexCacheDirectory: videos.NewFolder());

    [Slow]
    [RequiresFact(Needs.Ffmpeg)]
    public void ReadSamples_RandomWindowsInRandomOrder_MatchFullDecodeByteForByte()
    {
        string video = videos.ConstantRate;
        byte[] full = ExternalTools.FullDecode(video, "gray");
        using var stream = VideoStream.Open(video, Options());

        AssertRandomWindowsMatch(stream, full, seed: 1);
    }

    [Slow]
    [RequiresFact(Needs.Ffmpeg)]
    public void ReadSamples_VariableRateMkvRgb_MatchFullDecodeByteForByte()
    {
        string video = videos.VariableRateMkv;
        byte[] full = ExternalTools.FullDecode(video, "rgb24");
        using var stream = VideoStream.Open(video, Options(VideoColor.Rgb));

        Assert.Equal(GeneratedVideos.VariableRateFrames * GeneratedVideos.Width * GeneratedVideos.Height * 3, full.Length);
        AssertRandomWindowsMatch(stream, full, seed: 2);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void ReadSamples_VariableRateMp4Scaled_MatchFullDecodeWithTheSameScale()
    {
        string video = videos.VariableRateMp4;
        byte[] full = ExternalTools.FullDecode(video, "gray", scale: "64:48");
        using var stream = VideoStream.Open(video, Options(size: new FrameSize(64, 48)));

        Assert.Equal([48, 64], stream.SampleShape);
        AssertRandomWindowsMatch(stream, full, seed: 3);
    }

    [RequiresFact(Needs.SharedData | Needs.Ffmpeg | Needs.Python)]
    public void ReadSamples_RealShortEveryFrame_MatchesFullDecode()
    {
        string video = Path.Combine(ExternalTools.SharedData, "video", "realshort.mp4");
        byte[] full = ExternalTools.FullDecode(video, "gray");
        using var stream = VideoStream.Open(video, Options());
        long[] all = Enumerable.Range(0, 36).Select(k => (long)k).ToArray();
        var decoded = new byte[full.Length];

        stream.ReadSamples(all, decoded);

        Assert.Equal(320 * 240 * 36, full.Length);
        Assert.True(full.AsSpan().SequenceEqual(decoded));
    }

    [Slow]
    [RequiresTheory(Needs.Ffmpeg)]
    [InlineData("h264.ts", new[] { "-c:v", "libx264", "-g", "12", "-bf", "2" })] // MPEG-TS starts at 1.48 s: -ss counts from there
    [InlineData("vp9.webm", new[] { "-c:v", "libvpx-vp9", "-g", "12", "-deadline", "realtime", "-cpu-used", "8" })]
    [InlineData("mpeg4.mov", new[] { "-c:v", "mpeg4", "-g", "12" })]
    [InlineData("mjpeg.avi", new[] { "-c:v", "mjpeg" })]
    public void ReadSamples_OtherContainersAndCodecs_MatchFullDecode(string name, string[] encoder)
    {
        string video = videos.Make(name, ["-f", "lavfi", "-i", "testsrc2=size=96x64:rate=25", "-frames:v", "90", .. encoder, "-pix_fmt", "yuv420p"]);
        byte[] full = ExternalTools.FullDecode(video, "gray");
        using var stream = VideoStream.Open(video, Options());

        Assert.Equal(90, stream.FrameCount);
        AssertRandomWindowsMatch(stream, full, seed: name.Length);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void ReadSamples_SortedOverlappingWindows_DecodedInOnePass()
    {
        using var stream = VideoStream.Open(videos.ConstantRate, Options());
        byte[] full = ExternalTools.FullDecode(videos.ConstantRate, "gray");
        int frameBytes = GeneratedVideos.Width * GeneratedVideos.Height;
        var buffer = new byte[20 * frameBytes];

        foreach (long start in new long[] { 10, 15, 30, 60, 75, 110, 150 })
        {
            long[] window = Enumerable.Range(0, 20).Select(i => start + i).ToArray();
            stream.ReadSamples(window, buffer);
            Assert.True(full.AsSpan(checked((int)start * frameBytes), 20 * frameBytes).SequenceEqual(buffer));
        }

        Assert.Equal(1, stream.DecoderStarts);
        // Frames 10..169, each received once; nothing before the first window's seek point.
        Assert.Equal(160, stream.FramesDecoded);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void ReadFrame_FarAheadThenBackwards_SeeksInsteadOfDecodingFromTheStart()
    {
        using var stream = VideoStream.Open(videos.ConstantRate, Options());
        byte[] full = ExternalTools.FullDecode(videos.ConstantRate, "gray");
        int frameBytes = GeneratedVideos.Width * GeneratedVideos.Height;
        var frame = new byte[frameBytes];

        foreach (long k in new long[] { 3, 290, 120, 121 })
        {
            stream.ReadFrame(k, frame);
            Assert.True(full.AsSpan(checked((int)k * frameBytes), frameBytes).SequenceEqual(frame), $"frame {k}");
        }

        // 3: start; 290: far beyond (the keyframe at 250 is much nearer); 120: backwards; 121: next.
        // Each seek delivers its target first: no frame before it crosses the pipe.
        Assert.Equal(3, stream.DecoderStarts);
        Assert.Equal(4, stream.FramesDecoded);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void ReadSamples_OutsideMarkers_WriteZeroFrames()
    {
        using var stream = VideoStream.Open(videos.ConstantRate, Options());
        byte[] full = ExternalTools.FullDecode(videos.ConstantRate, "gray");
        int frameBytes = GeneratedVideos.Width * GeneratedVideos.Height;
        var buffer = new byte[3 * frameBytes];
        buffer.AsSpan().Fill(0xAB);

        stream.ReadSamples([-1, 0, -1], buffer);

        Assert.True(buffer.AsSpan(0, frameBytes).IndexOfAnyExcept((byte)0) < 0);
        Assert.True(buffer.AsSpan(2 * frameBytes).IndexOfAnyExcept((byte)0) < 0);
        Assert.True(full.AsSpan(0, frameBytes).SequenceEqual(buffer.AsSpan(frameBytes, frameBytes)));
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void ReadFrame_IndexPastTheEnd_Throws()
    {
        using var stream = VideoStream.Open(videos.VariableRateMkv, Options());

        Assert.Throws<ArgumentOutOfRangeException>(() => stream.ReadFrame(GeneratedVideos.VariableRateFrames, new byte[GeneratedVideos.Width * GeneratedVideos.Height]));
    }

    /// <summary>Windows of random length at random starts, requested in random order (forcing seeks both ways).</summary>
    private static void AssertRandomWindowsMatch(VideoStream stream, byte[] full, int seed)
    {
        var random = new Random(seed);
        int frameBytes = stream.FrameWidth * stream.FrameHeight * (stream.Color == VideoColor.Rgb ? 3 : 1);
        long frames = stream.FrameCount;
        Assert.Equal(frames * frameBytes, full.LongLength);
        for (int w = 0; w < 8; w++)
        {
            int length = random.Next(1, 16);
            long start = random.NextInt64(0, frames - length + 1);
            long[] window = Enumerable.Range(0, length).Select(i => start + i).ToArray();
            var decoded = new byte[length * frameBytes];

            stream.ReadSamples(window, decoded);

            for (int i = 0; i < length; i++)
            {
                long k = window[i];
                Assert.True(
                    full.AsSpan(checked((int)k * frameBytes), frameBytes).SequenceEqual(decoded.AsSpan(i * frameBytes, frameBytes)),
                    $"frame {k} (window {w} from {start}) differs from the full decode");
            }
        }
    }
}
