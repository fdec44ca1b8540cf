using NeuroAlign.Formats.Kilosort;
using NeuroAlign.Formats.TimedTable;
using NeuroAlign.Tables;
using NeuroAlign.Time;

namespace NeuroAlign.Formats.Containers;

/// <summary>
/// A file that holds objects of several modalities, each named by an address after <c>#</c>
/// (<c>session.nwb#units</c>): NWB. Its reader lives where its file library does (NWB in
/// NeuroAlign.Hdf5, which talks to PureHDF); the modalities of Core reach it through this interface,
/// so a container is one more source format of the existing modalities and their outputs keep the
/// same layout (docs/formats/nwb.md).
/// </summary>
public interface IContainerFormat
{
    /// <summary>Whether the file part of <paramref name="path"/> (before any <c>#ADDRESS</c>) is of this format.</summary>
    bool Claims(string path);

    /// <summary>
    /// A name for the file's own clock, the same for every object of one file (<c>nwb:/full/path</c>):
    /// objects of one file share it, so the second of them takes the first's placement.
    /// </summary>
    string ClockName(string path);

    /// <summary>Sorted units: their spikes on a clock of the file's own seconds.</summary>
    ContainerSpikes ReadSpikes(string path);

    /// <summary>Times in the file's own seconds from a table object (intervals, events): the start column and the others as labels.</summary>
    TimeColumnValues ReadTimes(string path, TimeColumnRequest request);

    /// <summary>A continuous ephys series, read lazily; its clock counts the file's own seconds.</summary>
    EphysRecording OpenEphys(string path);

    /// <summary>A behaviour series (an NWB TimeSeries, SpatialSeries) as a table of float32 columns, read lazily; its clock counts the file's own seconds.</summary>
    ITableStream OpenTable(string path);

    /// <summary>A video stored beside the file (an NWB ImageSeries' external_file), with the frame times the file gives it.</summary>
    ContainerVideo OpenVideo(string path);
}

/// <summary>Sorted spikes read from a container, with the clock their sample numbers count.</summary>
/// <param name="Spikes">The spikes: sample k is sample k of <paramref name="Clock"/>.</param>
/// <param name="Clock">Times in the file's own seconds.</param>
/// <param name="ClockDescription">How the clock was made, in words, for info.</param>
public sealed record ContainerSpikes(SortedSpikes Spikes, SampleClock Clock, string ClockDescription);

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

/// <summary>The container formats known to this process; the front end registers them at start-up.</summary>
public static class ContainerFormats
{
    private static readonly List<IContainerFormat> Registered = [];
    private static readonly Lock Guard = new();

    /// <summary>Adds a format (once; registering it again does nothing).</summary>
    public static void Register(IContainerFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        lock (Guard)
        {
            if (!Registered.Contains(format))
            {
                Registered.Add(format);
            }
        }
    }

    /// <summary>The format whose file <paramref name="path"/> names, or null.</summary>
    public static IContainerFormat? Find(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        lock (Guard)
        {
            return Registered.FirstOrDefault(f => f.Claims(path));
        }
    }
}
