using System.Globalization;

namespace NeuroAlign.Video;

/// <summary>How decoded frames are delivered.</summary>
public enum VideoColor
{
    /// <summary>8-bit luma, one byte per pixel: sample shape [H, W].</summary>
    Gray,

    /// <summary>8-bit RGB, three bytes per pixel: sample shape [H, W, 3].</summary>
    Rgb,
}

/// <summary>A frame size in pixels.</summary>
/// <param name="Width">Pixels per row.</param>
/// <param name="Height">Rows.</param>
public readonly record struct FrameSize(int Width, int Height)
{
    /// <summary>Parses "WxH" (e.g. "160x120").</summary>
    public static FrameSize Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Trim().Split('x', 'X');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int width)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int height)
            && width > 0 && height > 0)
        {
            return new FrameSize(width, height);
        }

        throw new NeuroAlignException($"'{text}' is not a frame size: expected WIDTHxHEIGHT in pixels, e.g. 160x120");
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Width}x{Height}");
}

/// <summary>How to open a video.</summary>
/// <param name="Color">Gray (default) or RGB frames.</param>
/// <param name="OutputSize">Scale every frame to this size (ffmpeg's default bicubic scaler); null keeps the stored size.</param>
/// <param name="TimestampsPath">
/// A file of frame times in seconds (one number per line, CSV with a header, or .npy) that replaces
/// the container's presentation times; it must hold one time per frame.
/// </param>
/// <param name="IndexCacheDirectory">
/// Where frame-time indexes are kept; null: $NEUROALIGN_CACHE_DIR/video-index, else
/// $XDG_CACHE_HOME/neuroalign/video-index, else ~/.cache/neuroalign/video-index.
/// </param>
/// <param name="FfmpegDirectory">Folder holding ffmpeg and ffprobe; null: search PATH.</param>
/// <param name="FrameClock">
/// Frame times given by a container (an NWB ImageSeries' timestamps or rate) replacing the
/// container's presentation times: the clock of the video's frames, given their count.
/// </param>
/// <param name="FrameClockSource">Where <paramref name="FrameClock"/>'s times come from, in words.</param>
public sealed record VideoOptions(
    VideoColor Color = VideoColor.Gray,
    FrameSize? OutputSize = null,
    string? TimestampsPath = null,
    string? IndexCacheDirectory = null,
    string? FfmpegDirectory = null,
    Func<long, NeuroAlign.Time.SampleClock>? FrameClock = null,
    string? FrameClockSource = null)
{
    /// <summary>Parses a colour: gray or rgb.</summary>
    public static VideoColor ParseColor(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToUpperInvariant() switch
        {
            "GRAY" or "GREY" => VideoColor.Gray,
            "RGB" => VideoColor.Rgb,
            _ => throw new NeuroAlignException($"'{text}' is not a colour: expected gray or rgb"),
        };
    }
}
