using System.Diagnostics;
using System.Globalization;

namespace NeuroAlign.Video;

/// <summary>
/// Reads a video's frame timestamps with ffprobe, without decoding: one pass over the packets
/// (ffprobe -show_entries packet=pts,duration,flags), sorted into presentation order. Packets are
/// in decode order; with B-frames their pts are not increasing, so sorting by pts is what gives
/// the order frames are shown in. Containers whose packets carry no pts (AVI with B-frames) fall
/// back to the timestamps of decoded frames (best_effort_timestamp), which costs a full decode.
/// </summary>
internal static class VideoProbe
{
    // Fields we print. ffprobe prints them in its own order; lines are key=value so order does not matter.
    private const string StreamEntries = "stream=index,codec_name,width,height,time_base,r_frame_rate,nb_frames";
    private const string FormatEntries = "format=format_name,start_time";

    // What ffmpeg's demuxers print when a file is cut short or its structure is broken.
    private static readonly string[] ContainerDamage =
        ["partial file", "ended prematurely", "truncat", "invalid data found", "end of file", "moov atom not found", "error reading header"];

    /// <summary>The widest frame side accepted (ffmpeg's codecs stop at 16384 or 32768): a larger one is a damaged header.</summary>
    private const int MaxFrameSide = 1 << 16;

    /// <summary>A container start time past this (about 31 700 years) is a damaged header, and would overflow µs in a long.</summary>
    private const decimal MaxStartSeconds = 1e12m;

    public static FrameIndex Run(FfmpegTools tools, string path)
    {
        var packets = Probe(tools, path, "packet=pts,duration,flags", "packet");
        if (packets.Info is null)
        {
            throw new InvalidRecordingException(path, "streams", "no video stream", "a video with at least one frame");
        }

        bool usable = packets.Frames.Count > 0 && packets.Frames.TrueForAll(f => f.Pts is not null);
        if (usable)
        {
            return Build(path, packets.Info, packets.Frames, packets.DiscardedCount, fromDecodedFrames: false);
        }

        if (packets.Frames.Count == 0)
        {
            throw new InvalidRecordingException(path, "video stream", "0 frames", "at least one frame");
        }

        // Some containers (AVI with packed B-frames) leave pts out of packets; the decoder still
        // gives each frame a timestamp. Ask the same ffmpeg pipeline the decoder uses, so the
        // index holds exactly the pts that decoding will later report.
        List<ProbedFrame> frames = ScanDecodedFrames(tools, path, packets.Info.StreamIndex);
        if (frames.Count == 0 || !frames.TrueForAll(f => f.Pts is not null))
        {
            throw new InvalidRecordingException(
                path,
                "frame timestamps",
                "frames without presentation times (an elementary stream with no container?)",
                "a container with timestamps (mp4, mkv, mov, avi); remux with `ffmpeg -r RATE -i IN -c copy OUT.mkv`");
        }

        return Build(path, packets.Info, frames, 0, fromDecodedFrames: true);
    }

    private static FrameIndex Build(string path, VideoStreamInfo info, List<ProbedFrame> frames, int discarded, bool fromDecodedFrames)
    {
        if (info.HeaderFrameCount > 0 && !fromDecodedFrames && frames.Count + discarded != info.HeaderFrameCount)
        {
            throw new InvalidRecordingException(
                path,
                "video packets",
                $"{frames.Count} readable frames",
                $"{info.HeaderFrameCount} frames as the container header declares (truncated or corrupt file)");
        }

        var ordered = frames.ToArray();
        bool sorted = true;
        for (int k = 1; k < ordered.Length && sorted; k++)
        {
            sorted = ordered[k].Pts > ordered[k - 1].Pts;
        }

        if (!sorted)
        {
            Array.Sort(ordered, (a, b) => a.Pts!.Value.CompareTo(b.Pts!.Value));
        }

        var pts = new long[ordered.Length];
        var keyframes = new bool[ordered.Length];
        for (int k = 0; k < ordered.Length; k++)
        {
            pts[k] = ordered[k].Pts!.Value;
            keyframes[k] = ordered[k].Keyframe;
            if (k > 0 && pts[k] == pts[k - 1])
            {
                throw new InvalidRecordingException(
                    path,
                    $"frame {k} pts",
                    $"{pts[k]}, the same as frame {k - 1}",
                    "a distinct presentation time for every frame");
            }
        }

        return new FrameIndex(info, pts, keyframes, Math.Max(0, ordered[^1].DurationTicks), fromDecodedFrames);
    }

    /// <summary>Decodes the whole stream (to ffmpeg's null muxer) and collects each frame's pts and key flag from showinfo.</summary>
    private static List<ProbedFrame> ScanDecodedFrames(FfmpegTools tools, string path, int streamIndex)
    {
        string[] arguments =
        [
            "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info", "-copyts", "-noautorotate", "-i", path,
            "-map", string.Create(CultureInfo.InvariantCulture, $"0:{streamIndex}"), "-an", "-sn", "-dn",
            "-vf", "showinfo=checksum=0", "-fps_mode", "passthrough", "-f", "null", "-",
        ];
        using Process process = FfmpegTools.Start(tools.FfmpegPath, arguments);
        process.StandardOutput.BaseStream.CopyToAsync(Stream.Null);
        var frames = new List<ProbedFrame>();
        string lastError = string.Empty;
        string? line;
        while ((line = process.StandardError.ReadLine()) is not null)
        {
            if (Showinfo.TryParseFrame(line, out long? pts, out bool keyframe))
            {
                frames.Add(new ProbedFrame(pts, 0, keyframe, Discard: false));
            }
            else if (Showinfo.IsError(line))
            {
                lastError = line.Trim();
            }
        }

        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidRecordingException(path, "video stream", $"ffmpeg error \"{lastError}\"", "a video that ffmpeg can decode");
        }

        return frames;
    }

    private static ProbeOutput Probe(FfmpegTools tools, string path, string entries, string section)
    {
        string[] arguments =
        [
            "-v", "error", "-select_streams", "V:0",
            "-show_entries", $"{StreamEntries}:{FormatEntries}:{entries}",
            "-of", "compact=p=1:nk=0", path,
        ];
        using Process process = FfmpegTools.Start(tools.FfprobePath, arguments);
        var errors = new List<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                lock (errors)
                {
                    errors.Add(e.Data.Trim());
                }
            }
        };
        process.BeginErrorReadLine();

        var output = new ProbeOutput(path, section);
        string? line;
        while ((line = process.StandardOutput.ReadLine()) is not null)
        {
            output.Add(line);
        }

        process.WaitForExit();
        string fatal;
        lock (errors)
        {
            // A failed run ends with ffprobe's verdict ("x.mp4: Invalid data found when processing
            // input"). A run that succeeds may still report a cut or damaged container; decoder
            // complaints about a damaged picture are not fatal here (decoding checks every frame).
            fatal = process.ExitCode != 0
                ? (errors.Count > 0 ? errors[^1] : $"ffprobe exit code {process.ExitCode}")
                : errors.FirstOrDefault(IsContainerDamage) ?? string.Empty;
        }

        if (fatal.Length > 0)
        {
            // ffprobe names the file itself; keep only its reason.
            throw new InvalidRecordingException(path, "container", $"ffprobe error \"{StripPath(fatal, path)}\"", "a complete video that ffmpeg can read");
        }

        output.Finish();
        return output;
    }

    /// <summary>
    /// The frame index from ffprobe's packet listing as text (what <see cref="Run"/> reads from
    /// ffprobe's output), without running ffprobe: the parser alone, for the fuzz tests. Packets
    /// without presentation times are refused here (Run would decode the stream instead).
    /// </summary>
    internal static FrameIndex FromPacketListing(string path, string listing)
    {
        var output = new ProbeOutput(path, "packet");
        foreach (string line in listing.Split('\n'))
        {
            output.Add(line.TrimEnd('\r'));
        }

        output.Finish();
        if (output.Info is null)
        {
            throw new InvalidRecordingException(path, "streams", "no video stream", "a video with at least one frame");
        }

        if (output.Frames.Count == 0 || !output.Frames.TrueForAll(f => f.Pts is not null))
        {
            throw new InvalidRecordingException(path, "frame timestamps", "packets without presentation times", "a pts on every packet");
        }

        return Build(path, output.Info, output.Frames, output.DiscardedCount, fromDecodedFrames: false);
    }

    private static bool IsContainerDamage(string message) =>
        ContainerDamage.Any(m => message.Contains(m, StringComparison.OrdinalIgnoreCase));

    private static string StripPath(string message, string path)
    {
        string withColon = path + ": ";
        return message.StartsWith(withColon, StringComparison.Ordinal) ? message[withColon.Length..] : message;
    }

    private static ProbedFrame ParseFrame(ReadOnlySpan<char> fields, string path)
    {
        long? pts = null;
        long duration = 0;
        bool keyframe = false;
        foreach (Range range in fields.Split('|'))
        {
            ReadOnlySpan<char> field = fields[range];
            int equals = field.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            ReadOnlySpan<char> key = field[..equals], value = field[(equals + 1)..];
            switch (key)
            {
                case "pts" or "best_effort_timestamp":
                    pts = ParseTicks(value);
                    break;
                case "duration" or "pkt_duration":
                    duration = ParseTicks(value) ?? 0;
                    break;
                case "flags":
                    keyframe = value.Contains('K');
                    if (value.Contains('C'))
                    {
                        throw new InvalidRecordingException(path, "video packet", "a packet flagged corrupt", "intact packets");
                    }

                    if (value.Contains('D'))
                    {
                        // Discarded packets (before an mp4 edit list's start) are never shown.
                        return new ProbedFrame(null, 0, false, Discard: true);
                    }

                    break;
                case "key_frame":
                    keyframe = value is "1";
                    break;
                default:
                    break;
            }
        }

        return new ProbedFrame(pts, duration, keyframe, Discard: false);
    }

    private static long? ParseTicks(ReadOnlySpan<char> value) =>
        long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long ticks) ? ticks : null;

    private static void ParseFields(string line, Dictionary<string, string> into)
    {
        foreach (string field in line.Split('|').Skip(1))
        {
            int equals = field.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                into[field[..equals]] = field[(equals + 1)..];
            }
        }
    }

    private static VideoStreamInfo ParseInfo(string path, Dictionary<string, string> stream, Dictionary<string, string> format)
    {
        string Get(Dictionary<string, string> fields, string key) => fields.TryGetValue(key, out string? v) ? v : "N/A";

        int Positive(string key)
        {
            string text = Get(stream, key);
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0 && value <= MaxFrameSide
                ? value
                : throw new InvalidRecordingException(path, $"video stream {key}", text, $"a positive number of pixels, at most {MaxFrameSide}");
        }

        string timeBase = Get(stream, "time_base");
        string[] parts = timeBase.Split('/');
        if (parts.Length != 2
            || !long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out long num)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long den)
            || num <= 0 || den <= 0)
        {
            throw new InvalidRecordingException(path, "video stream time_base", timeBase, "a positive fraction such as 1/90000");
        }

        // ffprobe prints format start_time as seconds with exactly six decimals (µs); N/A when unknown.
        string startText = Get(format, "start_time");
        long startMicroseconds = 0;
        if (decimal.TryParse(startText, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal start))
        {
            startMicroseconds = Math.Abs(start) <= MaxStartSeconds
                ? (long)decimal.Round(start * 1_000_000m)
                : throw new InvalidRecordingException(path, "format start_time", startText, $"seconds within ±{MaxStartSeconds:G}");
        }

        long headerFrames = long.TryParse(Get(stream, "nb_frames"), NumberStyles.None, CultureInfo.InvariantCulture, out long n) ? n : -1;
        string indexText = Get(stream, "index");
        int streamIndex = int.TryParse(indexText, NumberStyles.None, CultureInfo.InvariantCulture, out int si)
            ? si
            : throw new InvalidRecordingException(path, "video stream index", indexText, "a stream number (0 or more)");
        return new VideoStreamInfo(
            streamIndex,
            Get(stream, "codec_name"),
            Get(format, "format_name"),
            Positive("width"),
            Positive("height"),
            num,
            den,
            Get(stream, "r_frame_rate"),
            startMicroseconds,
            headerFrames);
    }

    private readonly record struct ProbedFrame(long? Pts, long DurationTicks, bool Keyframe, bool Discard);

    /// <summary>ffprobe's compact output (section|key=value|…), one line at a time.</summary>
    private sealed class ProbeOutput(string path, string section)
    {
        private readonly Dictionary<string, string> _streamFields = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _formatFields = new(StringComparer.Ordinal);
        private readonly string _prefix = section + "|";

        public List<ProbedFrame> Frames { get; } = [];

        public VideoStreamInfo? Info { get; private set; }

        public int DiscardedCount { get; private set; }

        public void Add(string line)
        {
            if (line.StartsWith(_prefix, StringComparison.Ordinal))
            {
                ProbedFrame frame = ParseFrame(line.AsSpan(_prefix.Length), path);
                if (frame.Discard)
                {
                    DiscardedCount++;
                }
                else
                {
                    Frames.Add(frame);
                }
            }
            else if (line.StartsWith("stream|", StringComparison.Ordinal))
            {
                ParseFields(line, _streamFields);
            }
            else if (line.StartsWith("format|", StringComparison.Ordinal))
            {
                ParseFields(line, _formatFields);
            }
        }

        /// <summary>The stream's facts, once every line is in.</summary>
        public void Finish()
        {
            if (_streamFields.Count > 0)
            {
                Info = ParseInfo(path, _streamFields, _formatFields);
            }
        }
    }
}
