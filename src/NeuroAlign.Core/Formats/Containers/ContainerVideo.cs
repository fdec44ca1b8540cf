using NeuroAlign.Time;

namespace NeuroAlign.Formats.Containers;

/// <summary>
/// Reads the video an object of a container points at, for the video modality. It lives here, not
/// beside the video modality, because that modality has a project of its own (NeuroAlign.Video,
/// ffmpeg) and the containers' readers have theirs (NeuroAlign.Hdf5): Core is what both see.
/// </summary>
public interface IVideoOpener : IContainerOpener
{
    /// <summary>A video stored beside the file (an NWB ImageSeries' external_file), with the frame times the file gives it.</summary>
    ContainerVideo OpenVideo(string path);
}

/// <summary>
/// A video file a container points at (an NWB ImageSeries' <c>external_file</c>), with the frame
/// times the container gives its frames in the file's own seconds: <paramref name="Timestamps"/>
/// (all of the series', the video's frame k being entry <paramref name="StartingFrame"/> + k), or
/// <paramref name="StartSeconds"/> and <paramref name="RateHz"/>.
/// </summary>
/// <param name="ContainerPath">The container file, for messages.</param>
/// <param name="Address">The object's path in the container.</param>
/// <param name="VideoPath">The video file, resolved (relative names against the container's folder).</param>
/// <param name="StartingFrame">The series' frame number of the video's first frame.</param>
/// <param name="Timestamps">Every frame time of the series, or null when it is timed by a rate.</param>
/// <param name="StartSeconds">The series' starting_time (frame 0), when timed by a rate.</param>
/// <param name="RateHz">The series' rate, when timed by a rate.</param>
public sealed record ContainerVideo(string ContainerPath, string Address, string VideoPath, long StartingFrame, double[]? Timestamps, double StartSeconds, double RateHz)
{
    /// <summary>Where the frame times come from, in words (the video's timestamp_source).</summary>
    public string Source => Timestamps is null
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{ContainerPath}#{Address}: starting_time {StartSeconds:R} s, rate {RateHz:R} Hz, from frame {StartingFrame}")
        : $"{ContainerPath}#{Address}/timestamps from frame {StartingFrame}";

    /// <summary>The times of the video's <paramref name="frames"/> frames; the series must time exactly that many from its starting frame.</summary>
    public SampleClock ClockFor(long frames)
    {
        if (Timestamps is null)
        {
            return new RegularClock(StartSeconds + (StartingFrame / RateHz), RateHz, frames);
        }

        long given = Timestamps.LongLength - StartingFrame;
        return given == frames
            ? new ExplicitClock(Timestamps[(int)StartingFrame..], null, Source)
            : throw new InvalidRecordingException(ContainerPath, $"{Address}/timestamps", $"{given} frame times from frame {StartingFrame}", $"{frames}, one per frame of {VideoPath}");
    }
}
