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
}

/// <summary>Sorted spikes read from a container, with the clock their sample numbers count.</summary>
/// <param name="Spikes">The spikes: sample k is sample k of <paramref name="Clock"/>.</param>
/// <param name="Clock">Times in the file's own seconds.</param>
/// <param name="ClockDescription">How the clock was made, in words, for info.</param>
public sealed record ContainerSpikes(SortedSpikes Spikes, SampleClock Clock, string ClockDescription);

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
