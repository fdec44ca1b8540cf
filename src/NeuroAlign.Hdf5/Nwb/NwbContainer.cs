using NeuroAlign.Formats;
using NeuroAlign.Formats.Containers;
using NeuroAlign.Formats.TimedTable;
using NeuroAlign.Hdf5.Pose;
using NeuroAlign.Modalities.Ephys;
using NeuroAlign.Modalities.Physio;
using NeuroAlign.Modalities.Spikes;
using NeuroAlign.Modalities.Table;
using NeuroAlign.Tables;

namespace NeuroAlign.Hdf5.Nwb;

/// <summary>
/// NWB 2.x files as a source of the existing modalities (docs/formats/nwb.md): <c>FILE.nwb#ADDRESS</c>
/// names an object; the openers below read it for one modality each, and the front end registers
/// each with one line.
/// </summary>
public sealed class NwbContainer : IContainerFormat
{
    public static NwbContainer Instance { get; } = new();

    private NwbContainer()
    {
    }

    public string Name => "NWB";

    public bool Claims(string path) => NwbFile.IsNwbPath(path);

    public string ClockName(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return "nwb:" + Path.GetFullPath(PathFragment.Split(path).Path);
    }

    /// <summary>
    /// Opens the object <paramref name="path"/> addresses (or, with no address, the only object of
    /// <paramref name="defaultTypes"/>; with one, any of <paramref name="types"/>) and reads it; a
    /// result that keeps the file open (a lazy stream) owns it, else the file is closed.
    /// </summary>
    internal static T Read<T>(string path, string[] defaultTypes, string[] types, string expected, Func<NwbFile, NwbObject, T> read)
    {
        ArgumentNullException.ThrowIfNull(path);
        (string file, string? address) = PathFragment.Split(path);
        NwbFile nwb = NwbFile.Open(file);
        try
        {
            NwbObject found = nwb.Resolve(address, address is null ? defaultTypes : types, expected);
            T result = Guard(file, () => read(nwb, found));
            if (result is not IDisposable)
            {
                nwb.Dispose();
            }

            return result;
        }
        catch
        {
            nwb.Dispose();
            throw;
        }
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
}

/// <summary>What every NWB opener shares: the format it reads.</summary>
public abstract class NwbOpener : IContainerOpener
{
    public IContainerFormat Format => NwbContainer.Instance;
}

/// <summary>Units → sorted spikes (<c>--spikes FILE.nwb#units</c>).</summary>
public sealed class NwbSpikesOpener : NwbOpener, ISpikesOpener
{
    public ContainerSpikes ReadSpikes(string path) =>
        NwbContainer.Read(path, ["Units"], ["Units"], "a Units table (sorted spikes)", NwbTables.ReadUnits);
}

/// <summary>TimeIntervals (or an event TimeSeries) → event times and labels (<c>--events FILE.nwb#trials</c>, pulse and frame times).</summary>
public sealed class NwbTimesOpener : NwbOpener, ITimesOpener
{
    public TimeColumnValues ReadTimes(string path, TimeColumnRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return NwbContainer.Read(path, ["TimeIntervals"], ["DynamicTable", "TimeSeries"], "a TimeIntervals table (trials, epochs) or an event TimeSeries", (nwb, table) => NwbTables.ReadTimes(nwb, table, request));
    }
}

/// <summary>An ElectricalSeries (any TimeSeries of [samples, channels]) → a continuous ephys recording, read lazily.</summary>
public sealed class NwbEphysOpener : NwbOpener, IEphysOpener
{
    public EphysRecording OpenEphys(string path) =>
        NwbContainer.Read(path, ["ElectricalSeries"], ["TimeSeries"], "an ElectricalSeries (or a TimeSeries of [samples, channels])", (nwb, series) =>
        {
            NwbSeriesStream stream = NwbSeriesStream.Open(nwb, series, out IReadOnlyList<string> warnings);
            return new EphysRecording(stream, stream.ChannelLayout?.Names, stream.NwbDetails, [], warnings, sites: stream.ChannelLayout);
        });
}

/// <summary>A TimeSeries or SpatialSeries → a timestamped table of float32 columns, read lazily.</summary>
public sealed class NwbTableOpener : NwbOpener, ITableOpener
{
    public ITableStream OpenTable(string path) =>
        NwbContainer.Read(path, ["SpatialSeries"], ["TimeSeries"], "a TimeSeries or SpatialSeries of [samples] or [samples, columns] numbers", NwbTableStream.Open);
}

/// <summary>An ImageSeries' external_file → the video, with the series' frame times.</summary>
public sealed class NwbVideoOpener : NwbOpener, IVideoOpener
{
    public ContainerVideo OpenVideo(string path) =>
        NwbContainer.Read(path, ["ImageSeries"], ["ImageSeries"], "an ImageSeries whose external_file is a video", NwbVideo.Read);
}

/// <summary>An ndx-pose PoseEstimation → pose rows on the file's clock (<see cref="NwbPose"/>).</summary>
public sealed class NwbPoseOpener : NwbOpener, IPoseOpener
{
    public ContainerPose ReadPose(string path) =>
        NwbContainer.Read(path, ["PoseEstimation"], ["PoseEstimation"], "an ndx-pose PoseEstimation (pose)", NwbPose.Read);
}

/// <summary>A TimeSeries (respiration, pulse, ECG) → physio columns, read lazily as a table is (<see cref="NwbTableStream"/>).</summary>
public sealed class NwbPhysioOpener : NwbOpener, IPhysioOpener
{
    public ITableStream OpenPhysio(string path) =>
        NwbContainer.Read(path, ["TimeSeries"], ["TimeSeries"], "a TimeSeries of [samples] or [samples, columns] numbers (respiration, pulse)", NwbTableStream.Open);
}
