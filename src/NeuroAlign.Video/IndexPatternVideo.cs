using System.Diagnostics;
using System.Globalization;

namespace NeuroAlign.Video;

/// <summary>
/// Writes a small video whose frames show their own index: every pixel of frame k has gray level
/// k mod 256. Encoded losslessly (FFV1 in AVI, ffmpeg's own codec, always built in) so a decoded
/// frame's mean gray level is exactly its index: a reader of aligned output can check that each
/// grid time got the frame it should. Used by the demo session and by tests.
/// </summary>
public static class IndexPatternVideo
{
    /// <summary>Encodes the video with ffmpeg's lavfi source and returns <paramref name="path"/>.</summary>
    /// <param name="path">Output file; .avi is advised (FFV1 in AVI keeps the exact frame rate as the time base).</param>
    /// <param name="frameCount">Frames to write (at most a few thousand: this is for demos and tests).</param>
    /// <param name="frameRate">Frame rate as ffmpeg reads it: "30000/1001", "25".</param>
    /// <param name="size">Frame size.</param>
    /// <param name="ffmpegDirectory">Folder holding ffmpeg; null: search PATH.</param>
    public static string Write(string path, int frameCount, string frameRate, FrameSize size, string? ffmpegDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(frameRate);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(frameCount);
        FfmpegTools tools = FfmpegTools.Locate(ffmpegDirectory);
        string source = string.Create(
            CultureInfo.InvariantCulture, $"color=c=black:s={size.Width}x{size.Height}:r={frameRate},format=gray,geq=lum='mod(N,256)'");
        string partial = path + ".partial.avi";
        string[] arguments =
        [
            "-hide_banner", "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i", source,
            "-frames:v", frameCount.ToString(CultureInfo.InvariantCulture), "-c:v", "ffv1", "-pix_fmt", "gray", partial,
        ];
        using (Process process = FfmpegTools.Start(tools.FfmpegPath, arguments))
        {
            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                File.Delete(partial);
                string reason = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? $"exit code {process.ExitCode}";
                throw new NeuroAlignException($"{path}: ffmpeg could not write the video: {reason}");
            }
        }

        File.Move(partial, path, overwrite: true);
        return path;
    }
}
