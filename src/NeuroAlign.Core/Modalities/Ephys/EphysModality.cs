using NeuroAlign.Filtering;
using NeuroAlign.Formats;
using NeuroAlign.Formats.Containers;
using NeuroAlign.Formats.OpenEphys;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Formats.SpikeGlx;
using NeuroAlign.Sessions;
using NeuroAlign.Streams;

namespace NeuroAlign.Modalities.Ephys;

/// <summary>The settings of ephys streams (raw-file layout, Open Ephys stream, channels, units).</summary>
public static class EphysSettings
{
    public static readonly Setting<long> Channels = Setting.Whole("ephys-channels", "N", "raw files: channels per sample", 1, "384");

    public static readonly Setting<double> Rate = Setting.Number("ephys-rate", "HZ", "raw and .npy files: sample rate in Hz; SpikeGLX and Open Ephys carry their own", 0, exclusiveMinimum: true, defaultText: "30000");

    public static readonly Setting<SampleType> Dtype = Setting.Of(
        "ephys-dtype", "TYPE", "raw files: int16, uint16, int32 or float32", text => Setting.Naming("ephys-dtype", () => SampleTypes.Parse(text, RawBinaryOptions.SupportedTypes)), "int16");

    public static readonly Setting<long> HeaderBytes = Setting.Whole("ephys-header-bytes", "BYTES", "raw files: bytes to skip at the start", 0, "0");

    public static readonly Setting<double> GainMicrovolts = Setting.Number("ephys-gain-uv", "FACTOR", "raw and .npy files: microvolts per raw unit, written to /ephys/gain_to_uV", 0, exclusiveMinimum: true, defaultText: "1.0");

    public static readonly Setting<string> Stream = Setting.Text(
        "ephys-stream", "NAME", "Open Ephys: the stream to read, by stream_name or folder; per stream: ephys=ProbeA-AP,ephys_1=NI-DAQ", "the first neural stream", SettingScope.PerStream);

    public static readonly Setting<bool> Run = Setting.Switch(
        "ephys-run", "SpikeGLX: read every gate (_gN) and trigger (_tN) file of the given file's stream as one recording, each placed by its firstSample; gaps stay outside the recording (a run folder given as the path is read so without it)");

    public static readonly Setting<string> ChannelIds = Setting.Text("channels", "IDS", "keep only these channels: ids and ranges (0-63,100), names (SY0, XA0) or depth=A-B (µm from the tip-most row, inclusive)", "all");

    public static readonly Setting<EphysUnits> Units = Setting.Of(
        "units", "UNITS", "ephys data as counts (raw values), uV (float32 microvolts: counts × gain_to_uV) or physical (float32, each channel in its natural unit: uV for probes, V for NIDQ and NI-DAQ analog inputs; /<stream>/channel_units says which)",
        text => text switch
        {
            "counts" => EphysUnits.Counts,
            "uV" or "uv" or "µV" => EphysUnits.Microvolts,
            "physical" => EphysUnits.Physical,
            _ => throw new SettingException("units", $"'{text}' is not a unit: expected counts (raw values, the default), uV (float32 microvolts) or physical (float32, each channel in its natural unit)"),
        },
        "counts");

    /// <summary>Settings only a raw file takes: given with a format that carries its own metadata, they would be silently ignored.</summary>
    internal static readonly Setting[] RawOnly = [Channels, Dtype, HeaderBytes];

    internal static readonly Setting[] RawAndNpy = [Rate, GainMicrovolts];

    public static IReadOnlyList<Setting> All { get; } = [Channels, Rate, Dtype, HeaderBytes, GainMicrovolts, Stream, Run, ChannelIds, Units];

    /// <summary>The raw-file layout; defaults are the original tool's (384 channels, 30 kHz, int16).</summary>
    public static RawBinaryOptions RawOptions(SettingValues settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return new RawBinaryOptions(
            ChannelCount: checked((int)Math.Min(settings.Get(Channels, 384), int.MaxValue)),
            SampleRateHz: settings.Get(Rate, 30_000),
            ElementType: settings.Get(Dtype, SampleType.Int16),
            HeaderBytes: settings.Get(HeaderBytes, 0),
            GainToMicrovolts: settings.Get(GainMicrovolts, 1.0));
    }
}

/// <summary>
/// Extracellular recordings: SpikeGLX, Open Ephys, .npy and raw binary, detected from the path
/// (<see cref="EphysReader"/>); continuous samples of C channels with gains and digital lines, tied
/// to each other by shared sync pulses.
/// </summary>
public sealed class EphysModality : IModality
{
    /// <summary>Open Ephys TTL line 1: where the Neuropixels sync input shows in the GUI's event streams.</summary>
    public const int DefaultOpenEphysSyncLine = 1;

    public string Name => "ephys";

    public ModalityKind Kind => ModalityKind.Ephys;

    /// <summary>Filter rules read signal in microvolts (raw × gain), t and channel; rules without scope apply.</summary>
    public FilterScope FilterScope { get; } = new(
        "ephys",
        [
            FilterVariable.Signal(FilterQuantity.Voltage, "microvolts: the raw value × the channel's gain (/ephys/gain_to_uV)"),
            FilterVariable.Time,
            FilterVariable.Channel("the channel id (/ephys/channel_ids)"),
        ],
        appliesUnscoped: true);

    public string PathHelp => "ephys recording: SpikeGLX .bin (with its .meta), run folder (every gate and trigger file) or mtscomp .cbin (with its .ch and .meta), Open Ephys folder or structure.oebin, .npy, or raw .dat/.bin (see the ephys-* settings); the first is the reference, the others are aligned by shared sync pulses";

    public int ReferencePriority => 0;

    public PerSampleSync? PerSampleSync => null;

    public IReadOnlyList<Setting> Settings => EphysSettings.All;

    public bool Claims(string path) => false;

    public void CheckSettings(SettingValues settings, IReadOnlyList<StreamRequest> streams)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(streams);

        // A setting that would be silently ignored is an error: the metadata wins, and the user
        // should know. With several streams, a setting is ignored only if no input takes it.
        if (streams.Count > 0 && streams.All(r => ContainerSources.FormatOf(r.Path) is not null)
            && EphysSettings.RawOnly.Concat(EphysSettings.RawAndNpy).FirstOrDefault(settings.Has) is { } fromFile)
        {
            throw new SettingException(fromFile, $"does not apply to {streams[0].Path}: a series of a container file (NWB) carries its own rate, type and gains");
        }

        EphysFormat[] formats = streams.Where(r => File.Exists(r.Path) || Directory.Exists(r.Path)).Select(r => EphysReader.Detect(r.Path)).ToArray();
        if (settings.Has(EphysSettings.Run) && formats.Length == streams.Count && !formats.Contains(EphysFormat.SpikeGlx) && streams.Count > 0)
        {
            throw new SettingException(EphysSettings.Run, $"applies to SpikeGLX recordings only; {streams[0].Path} is {EphysReader.Describe(formats[0])}");
        }

        if (formats.Length < streams.Count || formats.Contains(EphysFormat.Raw))
        {
            return;
        }

        IEnumerable<Setting> ignored = formats.Contains(EphysFormat.Npy) ? EphysSettings.RawOnly : [.. EphysSettings.RawOnly, .. EphysSettings.RawAndNpy];
        if (ignored.FirstOrDefault(settings.Has) is { } setting)
        {
            StreamRequest first = streams[0];
            throw new SettingException(setting, $"does not apply to {first.Path}: it is {EphysReader.Describe(formats[0])}, whose own metadata gives that");
        }

        StreamValues<string> names = settings.PerStream(EphysSettings.Stream);
        foreach (StreamRequest r in streams.Where((r, i) => formats[i] != EphysFormat.OpenEphys))
        {
            if (names.TryGet(r.Name, Name, out _))
            {
                throw new SettingException(EphysSettings.Stream, $"applies to Open Ephys recordings only; {r.Path} is {EphysReader.Describe(EphysReader.Detect(r.Path))}");
            }
        }
    }

    public OpenedStream Open(StreamRequest request, SettingValues settings, ISessionLog log, IReadOnlyList<SessionStream> opened)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(opened);
        var options = new EphysOpenOptions
        {
            Raw = EphysSettings.RawOptions(settings),
            StreamName = settings.PerStream(EphysSettings.Stream).TryGet(request.Name, Name, out string? stream) ? stream : null,
            Run = settings.Get(EphysSettings.Run, false),
        };
        EphysRecording recording = EphysReader.Open(request.Path, options);
        try
        {
            ContinuousStream selected = settings.Find(EphysSettings.ChannelIds) is { } channels
                ? recording.SelectChannels(ChannelSelection.Resolve(recording, channels))
                : recording;
            (int? line, string? why) = DefaultSyncLine(recording, settings, request.Name);
            var result = new OpenedStream(selected, recording.DigitalLines)
            {
                AcquisitionClock = recording.FormatName is SpikeGlxReader.FormatName or OpenEphysReader.FormatName ? recording.FormatName : null,
                DefaultSyncLine = line,
                NoSyncLineReason = why,
            };

            // A container's series counts the file's own seconds, as its other objects do.
            return ContainerSources.FormatOf(request.Path) is { } container ? ContainerSources.OnFileClock(container, request.Path, result, opened) : result;
        }
        catch
        {
            recording.Dispose();
            throw;
        }
    }

    public void DescribeOutput(SessionStream stream, bool isReference, StreamOutputDescription output)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(output);
        if (stream.Stream is ContinuousStream ephys)
        {
            // Always the metadata's counts → µV factors; with units uV the data are already scaled by them.
            output.Datasets["gain_to_uV"] = ephys.GainsToMicrovolts.ToArray();
            output.Datasets["channel_ids"] = ephys.ChannelIds.ToArray();
            if (ephys.ChannelLayout is { } layout)
            {
                output.Datasets["channel_names"] = layout.Names.ToArray();
                if (layout.Locations is { Count: > 0 } locations)
                {
                    // Brain areas as the metadata names them (NWB electrodes' location), "" where none.
                    output.Datasets["channel_locations"] = locations.ToArray();
                }

                if (layout.HasSites)
                {
                    // [C, 2]: x across the probe, y along the shank, µm; NaN for channels that are no electrode (SY).
                    var positions = new float[layout.Sites.Count, 2];
                    for (int c = 0; c < layout.Sites.Count; c++)
                    {
                        positions[c, 0] = layout.Sites[c] is { } s ? (float)s.XUm : float.NaN;
                        positions[c, 1] = layout.Sites[c] is { } t ? (float)t.YUm : float.NaN;
                    }

                    output.Datasets["channel_positions_um"] = positions;
                    output.Attributes["channel_positions_source"] = layout.SiteSource ?? string.Empty;
                    if (layout.Sites.OfType<ProbeSite>().Select(s => s.Shank).Distinct().Count() > 1)
                    {
                        output.Datasets["channel_shank"] = layout.Sites.Select(s => s?.Shank ?? -1).ToArray();
                    }
                }
            }
        }
    }

    /// <summary>
    /// The sync line of a recording when none is named: a line its metadata labels as sync (the imec
    /// SY word's bit 6, "sync input"; the NIDQ line syncNiChan, "sync"), else nidq-sync-line for
    /// SpikeGLX, else TTL line 1 for Open Ephys.
    /// </summary>
    private static (int? Line, string? Why) DefaultSyncLine(EphysRecording recording, SettingValues settings, string name)
    {
        var labelled = recording.DigitalLines.SelectMany(s => s.Lines).ToArray();
        if (labelled.FirstOrDefault(l => l.Label == "sync input") is { } imec)
        {
            return (imec.Number, null);
        }

        if (recording.FormatName == SpikeGlxReader.FormatName && settings.FindValue(SyncSettings.NidqSyncLine) is { } nidqLine)
        {
            return ((int)Math.Min(nidqLine, int.MaxValue), null);
        }

        if (labelled.FirstOrDefault(l => l.Label == "sync") is { } nidq)
        {
            return (nidq.Number, null);
        }

        if (recording.FormatName == OpenEphysReader.FormatName && labelled.Any(l => l.Number == DefaultOpenEphysSyncLine))
        {
            return (DefaultOpenEphysSyncLine, null);
        }

        string why = recording.FormatName == SpikeGlxReader.FormatName
            ? $"its .meta names no sync line (syncNiChanType=0 with syncNiChan); give {SyncSettings.NidqSyncLine} N or {SyncSettings.SyncLine}"
            : labelled.Length == 0
                ? $"a {recording.FormatName} recording carries no digital lines; give its pulse times with {SyncSettings.SyncLine} {name}=FILE, or place it with {SyncSettings.Offset} {name}=SECONDS"
                : $"no line is labelled sync ({string.Join("; ", recording.DigitalLines.Select(s => s.Describe()))}); give {SyncSettings.SyncLine}";
        return (null, why);
    }
}
