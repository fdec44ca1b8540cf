using NeuroAlign.TestData;
using NeuroAlign.Video.Tests.Support;

namespace NeuroAlign.Video.Tests;

/// <summary>Files that are not (whole) videos: one clear line each.</summary>
[Collection(VideoCollection.Name)]
public sealed class VideoProbeTests(GeneratedVideos videos)
{
    private VideoOptions Options => new(IndexCacheDirectory: videos.NewFolder());

    private InvalidRecordingException OpenFails(string path)
    {
        var error = Assert.Throws<InvalidRecordingException>(() => VideoStream.Open(path, Options));
        Assert.DoesNotContain('\n', error.Message);
        Assert.StartsWith(path + ": ", error.Message);
        return error;
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_TextFile_NotAVideo()
    {
        string path = Path.Combine(videos.NewFolder(), "notes.mp4");
        File.WriteAllText(path, "these are my notes, not a video\n");

        var error = OpenFails(path);

        Assert.Contains("Invalid data found when processing input", error.Message);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_EmptyFile_NotAVideo()
    {
        string path = Path.Combine(videos.NewFolder(), "empty.mkv");
        File.WriteAllBytes(path, []);

        OpenFails(path);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_TruncatedMp4WithIndexAtTheEnd_Rejected()
    {
        string path = Path.Combine(videos.NewFolder(), "cut.mp4");
        byte[] bytes = File.ReadAllBytes(videos.ConstantRate);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());

        OpenFails(path);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_TruncatedMp4WithIndexAtTheStart_MissingFramesReported()
    {
        string whole = videos.Make("faststart.mp4", ["-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-frames:v", "100", "-c:v", "libx264", "-movflags", "+faststart"]);
        string path = Path.Combine(videos.NewFolder(), "cut.mp4");
        byte[] bytes = File.ReadAllBytes(whole);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length * 3 / 4).ToArray());

        var error = OpenFails(path);

        Assert.Contains("container", error.Message);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_TruncatedMatroska_Rejected()
    {
        string path = Path.Combine(videos.NewFolder(), "cut.mkv");
        byte[] bytes = File.ReadAllBytes(videos.VariableRateMkv);
        File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length * 2 / 3).ToArray());

        OpenFails(path);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_AudioOnly_NoVideoStream()
    {
        string path = videos.Make("tone.m4a", ["-f", "lavfi", "-i", "sine=frequency=440", "-t", "0.5"]);

        var error = OpenFails(path);

        Assert.Equal($"{path}: streams: found no video stream, expected a video with at least one frame", error.Message);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_VideoStreamWithoutFrames_ZeroFrames()
    {
        string path = videos.Make("zero.avi", ["-f", "lavfi", "-i", "testsrc=size=160x120", "-frames:v", "0", "-c:v", "mpeg4"]);

        var error = OpenFails(path);

        Assert.Equal($"{path}: video stream: found 0 frames, expected at least one frame", error.Message);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_MissingFile_SaysSo()
    {
        string path = Path.Combine(videos.NewFolder(), "nothing.mp4");

        var error = Assert.Throws<NeuroAlignException>(() => VideoStream.Open(path, Options));

        Assert.Equal($"{path}: no such file", error.Message);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_FfmpegMissing_OneLineThatSaysHowToInstall()
    {
        var options = new VideoOptions(IndexCacheDirectory: videos.NewFolder(), FfmpegDirectory: videos.NewFolder());

        var error = Assert.Throws<NeuroAlignException>(() => VideoStream.Open(videos.VariableRateMkv, options));

        Assert.Contains("ffmpeg not found", error.Message);
        Assert.Contains("apt-get install ffmpeg", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_AviWithBFramesWithoutPacketPts_TimesFromDecodedFrames()
    {
        string path = videos.Make("bframes.avi", ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=25", "-frames:v", "30", "-c:v", "mpeg4", "-bf", "2"]);
        byte[] full = ExternalTools.FullDecode(path, "gray");

        using var stream = VideoStream.Open(path, Options);
        var decoded = new byte[30 * 160 * 120];
        stream.ReadSamples(Enumerable.Range(0, 30).Select(k => (long)k).ToArray(), decoded);

        Assert.Equal(30, stream.FrameCount);
        Assert.Contains("decoded frame timestamps", stream.TimestampSource);
        // ffmpeg numbers this AVI's frames 1..30 in 1/25 s (the B-frame delay); every interval is one frame.
        for (int k = 1; k < 30; k++)
        {
            Assert.Equal(1 / 25.0, stream.Clock.TimeOf(k) - stream.Clock.TimeOf(k - 1), 12);
        }

        Assert.True(full.AsSpan().SequenceEqual(decoded));
    }
}
