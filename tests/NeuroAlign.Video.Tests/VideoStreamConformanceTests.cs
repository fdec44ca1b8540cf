using NeuroAlign.Streams;
using NeuroAlign.TestData;
using NeuroAlign.Video.Tests.Support;

namespace NeuroAlign.Video.Tests;

/// <summary>
/// The variable-rate Matroska video (80 frames, B-frames, frame k shown at (20k + k² mod 7) ms) as
/// 8-bit gray frames, against ffmpeg's own sequential decode of every frame (the oracle, no seeks)
/// and the presentation times the video was made with.
/// </summary>
[Collection(VideoCollection.Name)]
public sealed class VideoStreamConformanceTests(GeneratedVideos videos) : SampleStreamConformance<VideoStream>
{
    private static readonly Dictionary<string, byte[]> Decoded = [];

    protected override Needs Needs => Needs.Ffmpeg;

    protected override long ExpectedSampleCount => GeneratedVideos.VariableRateFrames;

    protected override string ExpectedFormatName => VideoStream.Format;

    protected override SampleType ExpectedElementType => SampleType.UInt8;

    protected override IReadOnlyList<int> ExpectedSampleShape => [GeneratedVideos.Height, GeneratedVideos.Width];

    protected override bool ExpectsSourceMemory => false;

    protected override int WindowSamples => 12;

    // One index cache for every test here: the video is probed once, then its frame index is loaded.
    protected override VideoStream OpenStream() =>
        VideoStream.Open(videos.VariableRateMkv, new VideoOptions(IndexCacheDirectory: Directory.CreateDirectory(Path.Combine(videos.Folder, "conformance-index")).FullName));

    protected override void ExpectedSample(long index, Span<byte> destination)
    {
        byte[] all;
        lock (Decoded)
        {
            if (!Decoded.TryGetValue(videos.VariableRateMkv, out all!))
            {
                all = ExternalTools.FullDecode(videos.VariableRateMkv, "gray");
                Decoded[videos.VariableRateMkv] = all;
            }
        }

        all.AsSpan((int)index * destination.Length, destination.Length).CopyTo(destination);
    }

    protected override double ExpectedTimeSeconds(long index) => GeneratedVideos.MkvPtsMilliseconds(index) / 1000.0;
}
