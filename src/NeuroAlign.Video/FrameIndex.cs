using System.Globalization;

namespace NeuroAlign.Video;

/// <summary>Facts about the video stream, read from the container by ffprobe.</summary>
/// <param name="StreamIndex">The stream's index in the container (ffmpeg's -map 0:N).</param>
/// <param name="CodecName">ffmpeg's codec name (h264, mpeg4, ffv1…).</param>
/// <param name="FormatName">ffmpeg's container name (mov,mp4,… / matroska,webm / avi).</param>
/// <param name="Width">Stored frame width, pixels.</param>
/// <param name="Height">Stored frame height, pixels.</param>
/// <param name="TimeBaseNumerator">The stream time base: one pts tick is Num/Den seconds.</param>
/// <param name="TimeBaseDenominator">See <paramref name="TimeBaseNumerator"/>.</param>
/// <param name="NominalRate">The container's r_frame_rate, as a fraction ("45000/1499").</param>
/// <param name="FormatStartMicroseconds">The container's start_time (ffmpeg's -ss counts from it), µs; 0 when unknown.</param>
/// <param name="HeaderFrameCount">Frames the container header declares (nb_frames), -1 when it does not say.</param>
internal sealed record VideoStreamInfo(
    int StreamIndex,
    string CodecName,
    string FormatName,
    int Width,
    int Height,
    long TimeBaseNumerator,
    long TimeBaseDenominator,
    string NominalRate,
    long FormatStartMicroseconds,
    long HeaderFrameCount);

/// <summary>
/// Every frame's presentation timestamp (pts, in stream time-base ticks) in presentation order,
/// with keyframe flags: what the decoder needs to seek, and what the clock is built from.
/// </summary>
internal sealed class FrameIndex
{
    public FrameIndex(VideoStreamInfo info, long[] pts, bool[] keyframes, long lastFrameDurationTicks, bool fromDecodedFrames)
    {
        Info = info;
        Pts = pts;
        Keyframes = keyframes;
        LastFrameDurationTicks = lastFrameDurationTicks;
        FromDecodedFrames = fromDecodedFrames;
        var keyIndices = new List<long>();
        for (long k = 0; k < keyframes.LongLength; k++)
        {
            if (keyframes[k])
            {
                keyIndices.Add(k);
            }
        }

        KeyframeIndices = keyIndices.ToArray();
    }

    public VideoStreamInfo Info { get; }

    /// <summary>Presentation timestamps, strictly increasing, stream time-base ticks.</summary>
    public long[] Pts { get; }

    /// <summary>Whether each frame (presentation order) is a keyframe.</summary>
    public bool[] Keyframes { get; }

    /// <summary>Indices of the keyframes, increasing.</summary>
    public long[] KeyframeIndices { get; }

    /// <summary>The container's duration of the last frame, ticks; 0 when it does not say.</summary>
    public long LastFrameDurationTicks { get; }

    /// <summary>True when the container's packets carried no pts and the times came from decoding every frame.</summary>
    public bool FromDecodedFrames { get; }

    public long FrameCount => Pts.LongLength;

    /// <summary>
    /// Seconds of a pts: ticks × num / den, with the product formed exactly in integers and one
    /// rounding at the division (numpy's <c>pts * num / den</c> on int64 gives the same double).
    /// </summary>
    public double SecondsOf(long ticks) =>
        (double)((Int128)ticks * Info.TimeBaseNumerator) / Info.TimeBaseDenominator;

    /// <summary>Every frame's time, seconds.</summary>
    public double[] Seconds()
    {
        var seconds = new double[Pts.LongLength];
        for (long k = 0; k < seconds.LongLength; k++)
        {
            seconds[k] = SecondsOf(Pts[k]);
        }

        return seconds;
    }

    /// <summary>Microseconds of a pts, rounded down (ffmpeg's -ss and trim work in µs).</summary>
    public long MicrosecondsFloor(long ticks)
    {
        Int128 numerator = (Int128)ticks * Info.TimeBaseNumerator * 1_000_000;
        Int128 quotient = numerator / Info.TimeBaseDenominator;
        if (numerator < 0 && quotient * Info.TimeBaseDenominator != numerator)
        {
            quotient--;
        }

        return (long)quotient;
    }

    /// <summary>The last keyframe at or before frame <paramref name="index"/>, or 0.</summary>
    public long KeyframeAtOrBefore(long index)
    {
        int found = Array.BinarySearch(KeyframeIndices, index);
        if (found >= 0)
        {
            return KeyframeIndices[found];
        }

        int before = ~found - 1;
        return before >= 0 ? KeyframeIndices[before] : 0;
    }

    /// <summary>The frame whose pts is <paramref name="ticks"/>, or -1.</summary>
    public long IndexOfPts(long ticks)
    {
        long found = Array.BinarySearch(Pts, ticks);
        return found >= 0 ? found : -1;
    }

    /// <summary>The time base as text, e.g. 1/90000.</summary>
    public string TimeBaseText => string.Create(CultureInfo.InvariantCulture, $"{Info.TimeBaseNumerator}/{Info.TimeBaseDenominator}");
}
