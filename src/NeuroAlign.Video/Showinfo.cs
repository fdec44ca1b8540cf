using System.Globalization;
using System.Text.RegularExpressions;

namespace NeuroAlign.Video;

/// <summary>
/// Parses what ffmpeg's showinfo filter prints for each frame on stderr
/// ("[Parsed_showinfo_0 @ 0x…] n:   3 pts:  1536 pts_time:0.12 … iskey:0 type:B"): the frame's
/// pts in the filter's input time base (the stream's), which identifies the frame exactly.
/// </summary>
internal static partial class Showinfo
{
    public static bool TryParseFrame(string line, out long? pts, out bool keyframe)
    {
        pts = null;
        keyframe = false;
        if (!line.Contains("showinfo", StringComparison.Ordinal))
        {
            return false;
        }

        Match frame = FrameLine().Match(line);
        if (!frame.Success)
        {
            return false;
        }

        string value = frame.Groups[1].Value;
        pts = value == "NOPTS" ? null : long.Parse(value, CultureInfo.InvariantCulture);
        keyframe = line.Contains(" iskey:1", StringComparison.Ordinal);
        return true;
    }

    public static bool TryParseTimeBase(string line, out long numerator, out long denominator)
    {
        Match match = TimeBaseLine().Match(line);
        numerator = match.Success ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        denominator = match.Success ? long.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : 0;
        return match.Success;
    }

    /// <summary>A line worth quoting when ffmpeg fails (not a frame report, not a banner).</summary>
    public static bool IsError(string line) =>
        !line.Contains("showinfo", StringComparison.Ordinal) && ErrorLine().IsMatch(line);

    [GeneratedRegex(@"\bn:\s*\d+\s+pts:\s*(-?\d+|NOPTS)")]
    private static partial Regex FrameLine();

    [GeneratedRegex(@"showinfo.*config in time_base:\s*(\d+)/(\d+)")]
    private static partial Regex TimeBaseLine();

    [GeneratedRegex("error|invalid|fail|corrupt|no such|partial file|prematurely|not found|unrecognized|unknown", RegexOptions.IgnoreCase)]
    private static partial Regex ErrorLine();
}
