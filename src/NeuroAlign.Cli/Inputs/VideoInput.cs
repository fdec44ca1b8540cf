using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Video;

namespace NeuroAlign.Cli.Inputs;

/// <summary>Opens behaviour videos from the command line's --video options.</summary>
internal static class VideoInput
{
    public static readonly OptionSpec[] Options =
    [
        new("--video-timestamps", "PATH", "video: frame times in seconds replacing the container's (one per line, CSV with a header, or .npy)"),
        new("--video-color", "COLOR", "video: gray (default, [H, W]) or rgb ([H, W, 3])"),
        new("--video-size", "WxH", "video: scale frames to this size, e.g. 160x120 (default: as stored)"),
    ];

    /// <summary>File name endings `info` treats as video.</summary>
    private static readonly string[] Extensions =
        [".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".ts", ".mts", ".wmv", ".flv", ".mj2", ".nut", ".y4m", ".ogv", ".3gp"];

    public static bool LooksLikeVideo(string path) =>
        Extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>Reads the --video-* options; everything they can get wrong is a usage error before any file is opened.</summary>
    public static VideoOptions ParseOptions(ParsedArgs args)
    {
        try
        {
            return new VideoOptions(
                Color: args.Get("--video-color") is { } color ? VideoOptions.ParseColor(color) : VideoColor.Gray,
                OutputSize: args.Get("--video-size") is { } size ? FrameSize.Parse(size) : null,
                TimestampsPath: args.Get("--video-timestamps"));
        }
        catch (NeuroAlignException e)
        {
            throw new UsageException($"option {e.Message}");
        }
    }

    public static VideoStream Open(string path, ParsedArgs args, string option = "--video")
    {
        VideoOptions options = ParseOptions(args);
        EphysInput.RequireFile(path, option);
        if (options.TimestampsPath is { } timestamps)
        {
            EphysInput.RequireFile(timestamps, "--video-timestamps");
        }

        return VideoStream.Open(path, options);
    }

    /// <summary>Video facts added to the /video group's attributes.</summary>
    public static Dictionary<string, object> Attributes(VideoStream video) => new()
    {
        ["codec"] = video.CodecName,
        ["color"] = video.Color == VideoColor.Rgb ? "rgb" : "gray",
        ["stored_size"] = $"{video.StoredWidth}x{video.StoredHeight}",
        ["frame_count"] = video.FrameCount,
        ["timestamp_source"] = video.TimestampSource,
    };
}
