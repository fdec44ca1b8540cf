using NeuroAlign.TestData;
using NeuroAlign.Video.Tests.Support;

namespace NeuroAlign.Video.Tests;

[Collection(VideoCollection.Name)]
public sealed class FrameIndexCacheTests(GeneratedVideos videos)
{
    private string CopyOf(string video)
    {
        string copy = Path.Combine(videos.NewFolder(), Path.GetFileName(video));
        File.Copy(video, copy);
        return copy;
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_SecondTime_LoadsTheSameTimesFromTheIndex()
    {
        var options = new VideoOptions(IndexCacheDirectory: videos.NewFolder());
        string video = videos.VariableRateMkv;

        using var first = VideoStream.Open(video, options);
        using var second = VideoStream.Open(video, options);

        Assert.False(first.IndexLoadedFromCache);
        Assert.True(second.IndexLoadedFromCache);
        Assert.NotNull(first.IndexPath);
        Assert.True(File.Exists(first.IndexPath));
        Assert.StartsWith(options.IndexCacheDirectory!, first.IndexPath);
        Assert.Equal(first.FrameCount, second.FrameCount);
        for (long k = 0; k < first.FrameCount; k++)
        {
            Assert.Equal(first.Clock.TimeOf(k), second.Clock.TimeOf(k));
        }

        Assert.Equal(first.Clock.EndSeconds, second.Clock.EndSeconds);
        Assert.Equal(first.Details.Where(d => d.Key != "index"), second.Details.Where(d => d.Key != "index"));
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_VideoReplacedByAnother_IndexIgnoredAndRebuilt()
    {
        var options = new VideoOptions(IndexCacheDirectory: videos.NewFolder());
        string video = CopyOf(videos.VariableRateMkv);
        using (VideoStream.Open(video, options))
        {
        }

        string other = videos.Make("short.mkv", ["-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-frames:v", "7", "-c:v", "libx264"]);
        File.Copy(other, video, overwrite: true);
        using var reopened = VideoStream.Open(video, options);

        Assert.False(reopened.IndexLoadedFromCache);
        Assert.Equal(7, reopened.FrameCount);
        Assert.Equal(0.6, reopened.Clock.TimeOf(6), 12);
    }

    [Slow]
    [RequiresFact(Needs.Ffmpeg)]
    public void Open_ContentChangedWithSameSizeAndTime_IndexIgnored()
    {
        var options = new VideoOptions(IndexCacheDirectory: videos.NewFolder());
        string video = CopyOf(videos.ConstantRate);
        using (VideoStream.Open(video, options))
        {
        }

        DateTime modified = File.GetLastWriteTimeUtc(video);
        byte[] bytes = File.ReadAllBytes(video);
        bytes[2000] ^= 0xFF; // inside the mp4's mdat (the moov index is at the end), within the first 64 KiB
        File.WriteAllBytes(video, bytes);
        File.SetLastWriteTimeUtc(video, modified);
        using var reopened = VideoStream.Open(video, options);

        // Size and modification time match; the fingerprint of the first and last 64 KiB does not.
        Assert.False(reopened.IndexLoadedFromCache);
        Assert.Equal(GeneratedVideos.ConstantRateFrames, reopened.FrameCount);
    }

    [Slow]
    [RequiresFact(Needs.Ffmpeg)]
    public void Open_TouchedVideo_IndexIgnored()
    {
        var options = new VideoOptions(IndexCacheDirectory: videos.NewFolder());
        string video = CopyOf(videos.VariableRateMkv);
        using (VideoStream.Open(video, options))
        {
        }

        File.SetLastWriteTimeUtc(video, File.GetLastWriteTimeUtc(video).AddSeconds(-10));
        using var touched = VideoStream.Open(video, options);
        using var again = VideoStream.Open(video, options);

        Assert.False(touched.IndexLoadedFromCache);
        Assert.True(again.IndexLoadedFromCache);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_GarbledIndexFile_ReprobedAndRewritten()
    {
        var options = new VideoOptions(IndexCacheDirectory: videos.NewFolder());
        string video = videos.VariableRateMp4;
        string indexPath;
        using (var first = VideoStream.Open(video, options))
        {
            indexPath = first.IndexPath!;
        }

        byte[] index = File.ReadAllBytes(indexPath);
        File.WriteAllBytes(indexPath, index.AsSpan(0, index.Length - 5).ToArray());
        using var reprobed = VideoStream.Open(video, options);
        using var cached = VideoStream.Open(video, options);

        Assert.False(reprobed.IndexLoadedFromCache);
        Assert.Equal(GeneratedVideos.VariableRateFrames, reprobed.FrameCount);
        Assert.True(cached.IndexLoadedFromCache);
    }

    [RequiresFact(Needs.Ffmpeg)]
    public void Open_CacheFolderNotWritable_WorksWithoutIndex()
    {
        string notAFolder = Path.Combine(videos.NewFolder(), "file");
        File.WriteAllText(notAFolder, "a file where the cache folder should be");
        var options = new VideoOptions(IndexCacheDirectory: notAFolder);

        using var stream = VideoStream.Open(videos.VariableRateMkv, options);

        Assert.Null(stream.IndexPath);
        Assert.Equal(GeneratedVideos.VariableRateFrames, stream.FrameCount);
        Assert.Contains(stream.Details, d => d.Key == "index" && d.Value == "not cached");
    }
}
