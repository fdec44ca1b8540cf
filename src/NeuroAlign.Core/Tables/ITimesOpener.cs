using NeuroAlign.Formats.Containers;

namespace NeuroAlign.Tables;

/// <summary>Reads times from a table object of a container (NWB TimeIntervals, an event TimeSeries) for <see cref="TimeColumns.Read"/>: events, pulses, frame times.</summary>
public interface ITimesOpener : IContainerOpener
{
    /// <summary>Times in the file's own seconds: the start column and the others as labels, as <paramref name="request"/> asks.</summary>
    TimeColumnValues ReadTimes(string path, TimeColumnRequest request);
}
