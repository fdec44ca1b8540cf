using NeuroAlign.Formats;
using NeuroAlign.Formats.Containers;
using NeuroAlign.Formats.TimedTable;
using NeuroAlign.Tables;

namespace NeuroAlign.Hdf5.Nwb;

/// <summary>
/// NWB 2.x files as a source of the existing modalities (docs/formats/nwb.md): <c>FILE.nwb#ADDRESS</c>
/// opens Units as spikes, a TimeIntervals table (or an event TimeSeries) as event times and
/// labels, an ElectricalSeries (any TimeSeries) as ephys, a TimeSeries or SpatialSeries as a table, an ImageSeries' external video; pose is read by the pose modality
/// (<see cref="NwbPose"/>). Registered by the front end.
/// </summary>
public sealed class NwbContainer : IContainerFormat
{
    public static NwbContainer Instance { get; } = new();

    private NwbContainer()
    {
    }

    public bool Claims(string path) => NwbFile.IsNwbPath(path);

    public string ClockName(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return "nwb:" + Path.GetFullPath(PathFragment.Split(path).Path);
    }

    public ContainerSpikes ReadSpikes(string path)
    {
        (string file, string? address) = Split(path);
        using NwbFile nwb = NwbFile.Open(file);
        return Guard(file, () => NwbTables.ReadUnits(nwb, nwb.Resolve(address, "Units", "a Units table (sorted spikes)")));
    }

    public TimeColumnValues ReadTimes(string path, TimeColumnRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        (string file, string? address) = Split(path);
        using NwbFile nwb = NwbFile.Open(file);
        NwbObject table = nwb.Resolve(address, address is null ? ["TimeIntervals"] : ["DynamicTable", "TimeSeries"], "a TimeIntervals table (trials, epochs) or an event TimeSeries");
        return Guard(file, () => NwbTables.ReadTimes(nwb, table, request));
    }

    public EphysRecording OpenEphys(string path)
    {
        (string file, string? address) = Split(path);
        NwbFile nwb = NwbFile.Open(file);
        try
        {
            NwbObject series = nwb.Resolve(address, address is null ? ["ElectricalSeries"] : ["TimeSeries"], "an ElectricalSeries (or a TimeSeries of [samples, channels])");
            IReadOnlyList<string> warnings = [];
            NwbSeriesStream stream = Guard(file, () => NwbSeriesStream.Open(nwb, series, out warnings));
            return new EphysRecording(stream, stream.ChannelLayout?.Names, stream.NwbDetails, [], warnings, sites: stream.ChannelLayout);
        }
        catch
        {
            nwb.Dispose();
            throw;
        }
    }

    public ITableStream OpenTable(string path)
    {
        (string file, string? address) = Split(path);
        NwbFile nwb = NwbFile.Open(file);
        try
        {
            NwbObject series = nwb.Resolve(address, address is null ? ["SpatialSeries"] : ["TimeSeries"], "a TimeSeries or SpatialSeries of [samples] or [samples, columns] numbers");
            return Guard(file, () => NwbTableStream.Open(nwb, series));
        }
        catch
        {
            nwb.Dispose();
            throw;
        }
    }

    public ContainerVideo OpenVideo(string path)
    {
        (string file, string? address) = Split(path);
        using NwbFile nwb = NwbFile.Open(file);
        NwbObject series = nwb.Resolve(address, "ImageSeries", "an ImageSeries whose external_file is a video");
        return Guard(file, () => NwbVideo.Read(nwb, series));
    }

    /// <summary>
    /// Runs a reader on a file: what the HDF5 library throws on a damaged file (a bad filter
    /// pipeline, an unsupported message) becomes the one-line error naming the file.
    /// </summary>
    internal static T Guard<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not NeuroAlignException and not OutOfMemoryException)
        {
            throw new InvalidRecordingException(path, "structure", e.Message.ReplaceLineEndings(" "), "a readable NWB 2.x file");
        }
    }

    private static (string File, string? Address) Split(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return PathFragment.Split(path);
    }
}
