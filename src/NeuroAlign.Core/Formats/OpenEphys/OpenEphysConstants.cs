namespace NeuroAlign.Formats.OpenEphys;

/// <summary>
/// Names and layout of the Open Ephys GUI binary format, version 0.6 and later
/// (open-ephys.github.io/gui-docs, User Manual › Data formats › Binary format).
/// </summary>
internal static class OpenEphysConstants
{
    public const string StructureFileName = "structure.oebin";
    public const string OebinExtension = ".oebin";
    public const string ContinuousFolder = "continuous";
    public const string EventsFolder = "events";
    public const string ContinuousDataFileName = "continuous.dat";
    public const string SampleNumbersFileName = "sample_numbers.npy";
    public const string TimestampsFileName = "timestamps.npy";
    public const string StatesFileName = "states.npy";

    // structure.oebin keys.
    public const string GuiVersionKey = "GUI version";
    public const string ContinuousKey = "continuous";
    public const string EventsKey = "events";
    public const string FolderNameKey = "folder_name";
    public const string StreamNameKey = "stream_name";
    public const string SampleRateKey = "sample_rate";
    public const string ChannelCountKey = "num_channels";
    public const string ChannelsKey = "channels";
    public const string ChannelNameKey = "channel_name";
    public const string BitVoltsKey = "bit_volts";
    public const string UnitsKey = "units";
    public const string DescriptionKey = "description";
    public const string SourceProcessorNameKey = "source_processor_name";
    public const string SourceProcessorKey = "source_processor";
    public const string TypeKey = "type";

    /// <summary>A Record Node's experiment folders: experiment1, experiment3…</summary>
    public const string ExperimentPrefix = "experiment";

    /// <summary>An experiment's recording folders: recording1, recording2…</summary>
    public const string RecordingPrefix = "recording";

    /// <summary>
    /// 0.6 is the first version writing sample_numbers.npy (int64 sample counts) beside
    /// timestamps.npy (float64 seconds) and events as states.npy; 0.5 wrote timestamps.npy as sample counts.
    /// </summary>
    public static readonly Version FirstSupportedVersion = new(0, 6);

    /// <summary>The first major version this reader has not been checked against.</summary>
    public const int FirstUnknownMajorVersion = 2;
}
