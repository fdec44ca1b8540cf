using NeuroAlign.Filtering;
using NeuroAlign.Formats.Containers;
using NeuroAlign.Sessions;
using NeuroAlign.Sync;

namespace NeuroAlign.Video;

/// <summary>The settings of video streams; each may be given per stream (<c>left=rgb,body=gray</c>).</summary>
public static class VideoSettings
{
    public static readonly Setting<string> Timestamps = Setting.Text(
        "video-timestamps", "PATH", "frame times in seconds replacing the container's (one per line, CSV with a header, or .npy); per camera: NAME=PATH", scope: SettingScope.PerStream);

    public static readonly Setting<VideoColor> Color = Setting.Of(
        "video-color", "COLOR", "gray ([H, W]) or rgb ([H, W, 3]); per camera: NAME=rgb", text => Setting.Naming("video-color", () => VideoOptions.ParseColor(text)), "gray", SettingScope.PerStream);

    public static readonly Setting<FrameSize> Size = Setting.Of(
        "video-size", "WxH", "scale frames to this size, e.g. 160x120; per camera: NAME=WxH", text => Setting.Naming("video-size", () => FrameSize.Parse(text)), "as stored", SettingScope.PerStream);

    public static readonly Setting<PulseSource> Strobe = Setting.Of(
        "video-sync", "STREAM:LINE", "camera strobe, one pulse per frame, on a line of an ephys stream (e.g. ephys:1, ephys_1:3), or a FILE of pulse times on the reference clock; per camera: NAME=STREAM:LINE",
        text => PulseSource.Parse("video-sync", text), scope: SettingScope.PerStream);

    public static readonly Setting<PulseSource> Led = Setting.Of(
        "video-led", "STREAM:LINE", "an LED in view, driven by pulses also recorded on an ephys line (e.g. ephys_1:3) or given as a FILE of times on the reference clock: its pulses in the video's mean intensity tie the video's clock (offset + drift) like shared sync pulses",
        text => PulseSource.Parse("video-led", text), scope: SettingScope.PerStream);

    public static readonly Setting<FrameRegion> LedRegion = Setting.Of(
        "video-led-roi", "X,Y,W,H", "the LED's region of the frame, pixels", text => Setting.Naming("video-led-roi", () => FrameRegion.Parse(text)), "the whole frame", SettingScope.PerStream);

    public static IReadOnlyList<Setting> All { get; } = [Timestamps, Color, Size];

    /// <summary>How to open the video of stream <paramref name="name"/>.</summary>
    public static VideoOptions Options(SettingValues settings, string name)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new VideoOptions(
            Color: settings.PerStream(Color).Get(name, "video", VideoColor.Gray),
            OutputSize: settings.PerStream(Size).TryGet(name, "video", out FrameSize size) ? size : null,
            TimestampsPath: settings.PerStream(Timestamps).TryGet(name, "video", out string? path) ? path : null);
    }
}

/// <summary>Behaviour videos: frames at their exact presentation times, tied by strobes or an LED in view.</summary>
public sealed class VideoModality : IModality
{
    /// <summary>File name endings <c>info</c> treats as video.</summary>
    private static readonly string[] Extensions =
        [".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".mts", ".wmv", ".flv", ".mj2", ".nut", ".y4m", ".ogv", ".3gp"];

    public string Name => "video";

    public ModalityKind Kind => ModalityKind.Video;

    /// <summary>Filter rules (<c>video:</c>) read signal, the pixel value, and t.</summary>
    public FilterScope FilterScope { get; } = new(
        "video",
        [FilterVariable.Signal(FilterQuantity.None, "the pixel value, 0-255"), FilterVariable.Time]);

    public string PathHelp => "behaviour video (any format ffmpeg reads)";

    public int ReferencePriority => 1;

    public PerSampleSync PerSampleSync { get; } = new(VideoSettings.Strobe, "frame", "strobe", ExtraPulsesLead: false)
    {
        Led = VideoSettings.Led,
        LedRegion = VideoSettings.LedRegion,
    };

    public IReadOnlyList<Setting> Settings => VideoSettings.All;

    public bool Claims(string path) => Extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    public void CheckSettings(SettingValues settings, IReadOnlyList<StreamRequest> streams)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(streams);
        foreach (StreamRequest r in streams)
        {
            _ = VideoSettings.Options(settings, r.Name);
        }
    }

    public OpenedStream Open(StreamRequest request, SettingValues settings, ISessionLog log, IReadOnlyList<SessionStream> opened)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(opened);
        VideoOptions options = VideoSettings.Options(settings, request.Name);
        if (ContainerSources.Find<IVideoOpener>(request.Path, "a video (an ImageSeries with an external file)") is { } container)
        {
            return OpenContainer(container, request, options, opened);
        }

        if (options.TimestampsPath is { } timestamps)
        {
            Session.RequirePath(timestamps, VideoSettings.Timestamps.Key);
        }

        return new OpenedStream(VideoStream.Open(request.Path, options), []);
    }

    /// <summary>
    /// A video a container points at (an NWB ImageSeries' external_file): its frames timed by the
    /// container's timestamps or rate, in the file's seconds; as for the file's other objects, the
    /// first stream of that file places the others, and leading the session its zero is time zero.
    /// </summary>
    private static OpenedStream OpenContainer(IVideoOpener container, StreamRequest request, VideoOptions options, IReadOnlyList<SessionStream> opened)
    {
        if (options.TimestampsPath is not null)
        {
            throw new SettingException(VideoSettings.Timestamps, $"{request.Name} ({request.Path}): the container gives the frame times (its timestamps or rate)");
        }

        ContainerVideo video = container.OpenVideo(request.Path);
        VideoStream stream = VideoStream.Open(video.VideoPath, options with { FrameClock = video.ClockFor, FrameClockSource = video.Source });
        return ContainerSources.OnFileClock(container.Format, request.Path, new OpenedStream(stream, []), opened);
    }

    public void DescribeOutput(SessionStream stream, bool isReference, StreamOutputDescription output)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(output);
        if (stream.Stream is VideoStream video)
        {
            output.Attributes["codec"] = video.CodecName;
            output.Attributes["color"] = video.Color == VideoColor.Rgb ? "rgb" : "gray";
            output.Attributes["stored_size"] = $"{video.StoredWidth}x{video.StoredHeight}";
            output.Attributes["frame_count"] = video.FrameCount;
            output.Attributes["timestamp_source"] = video.TimestampSource;

            // Repeated frames (VideoStream.FindRepeated), for the report's timeline and for users.
            IReadOnlyList<long> repeated = video.RepeatedFrames;
            output.Attributes[OutputSchema.FramesRepeatedAttribute] = (long)repeated.Count;
            if (repeated.Count > 0)
            {
                output.Datasets[OutputSchema.RepeatedFrames] = repeated.ToArray();
                output.Datasets[OutputSchema.RepeatedFrameTimes] = repeated.Select(k => stream.Map.ToReference(video.Clock.TimeOf(k))).ToArray();
            }
        }
    }
}
