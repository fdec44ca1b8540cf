using NeuroAlign.Filtering;
using NeuroAlign.Formats.Bids;
using NeuroAlign.Formats.Containers;
using NeuroAlign.Formats.TimedTable;
using NeuroAlign.Modalities.Fmri;
using NeuroAlign.Sessions;
using NeuroAlign.Streams;

namespace NeuroAlign.Modalities.Physio;

/// <summary>The settings of BIDS physiological recordings.</summary>
public static class PhysioSettings
{
    public static readonly Setting<string> Of = Setting.Text(
        "physio-of", "STREAM", "the fMRI run a physio file belongs to (its StartTime counts from that run's first volume); per file: NAME=STREAM",
        "the fMRI stream whose BIDS entities match, else the only one", SettingScope.PerStream);

    public static readonly Setting<string> Sidecar = Setting.Text(
        "physio-sidecar", "JSON", "use this JSON instead of finding the physio file's sidecars (SamplingFrequency, StartTime, Columns); per file: NAME=JSON", scope: SettingScope.PerStream);

    /// <summary>The parsed float64 copy goes where the fMRI runs' decompressed copies go.</summary>
    public static IReadOnlyList<Setting> All { get; } = [Of, Sidecar, FmriSettings.Cache];
}

/// <summary>
/// BIDS physiological and stimulus recordings (<c>_physio.tsv.gz</c>, <c>_stim.tsv.gz</c>) with
/// their sidecars. BIDS times them from the first volume of their run (<c>StartTime</c>), so a
/// physio file follows its fMRI stream's clock and sync: sample k is at (volume 0's onset on the
/// run's own clock) + StartTime + k / SamplingFrequency on that clock, mapped through the run's map.
/// Without a run loaded it is timed by StartTime alone: as the reference, zero is its run's first
/// volume, so sample 0 sits at StartTime.
/// </summary>
public sealed class PhysioModality : IModality
{
    public string Name => "physio";

    public ModalityKind Kind => ModalityKind.Physio;

    /// <summary>Filter rules (<c>physio:</c>) read signal (each column's value), t, and each column by its name in the sidecar's Columns.</summary>
    public FilterScope FilterScope { get; } = new(
        "physio",
        [FilterVariable.Signal(FilterQuantity.None, "each column's value, as recorded"), FilterVariable.Time],
        fileColumns: "the columns named by the sidecar's Columns (cardiac, respiratory, trigger…)");

    /// <summary>The scope with the file's columns as variables (<c>physio: cardiac &gt; 2000</c>).</summary>
    public FilterScope FilterScopeOf(ISampleStream stream) => stream switch
    {
        Float32Stream { Source: BidsPhysioStream physio } => FilterScope.WithColumns(physio.Columns, "the column's value in the sample, as recorded"),
        ITableStream series => FilterScope.WithColumns(series.Columns, "the column's value in the sample, as the container stores it"),
        _ => FilterScope,
    };

    public string PathHelp => "BIDS physiological recording: _physio.tsv.gz or _stim.tsv.gz with its JSON sidecar; or a TimeSeries of an NWB file (FILE.nwb#ADDRESS)";

    /// <summary>After fMRI: the run a physio file belongs to is opened before it.</summary>
    public int ReferencePriority => 3;

    public PerSampleSync? PerSampleSync => null;

    public IReadOnlyList<Setting> Settings => PhysioSettings.All;

    /// <summary>Whether <paramref name="path"/> names a BIDS physio or stim table.</summary>
    public static bool IsPhysio(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new[] { "_physio.tsv.gz", "_physio.tsv", "_stim.tsv.gz", "_stim.tsv" }.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));
    }

    public bool Claims(string path) => IsPhysio(path);

    public void CheckSettings(SettingValues settings, IReadOnlyList<StreamRequest> streams)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(streams);
        Session.RequirePaths(settings, PhysioSettings.Sidecar, streams);
    }

    public OpenedStream Open(StreamRequest request, SettingValues settings, ISessionLog log, IReadOnlyList<SessionStream> opened)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(opened);
        if (ContainerSources.Find<IPhysioOpener>(request.Path, "a physiological series (a TimeSeries)") is { } container)
        {
            return OpenContainer(container, request, settings, opened);
        }

        SessionStream? run = RunOf(request, settings, opened);
        var options = new BidsPhysioOptions(
            CacheDirectory: settings.Find(FmriSettings.Cache),
            SidecarPath: settings.PerStream(PhysioSettings.Sidecar).TryGet(request.Name, Name, out string? sidecar) ? sidecar : null,
            RunStartSeconds: run is null ? 0 : run.Stream.Clock.TimeOf(0));
        var stream = new Float32Stream(BidsPhysioStream.Open(request.Path, options), ownsSource: true);
        return new OpenedStream(stream, [])
        {
            ClockOf = run?.Name,

            // Alone it leads, and its own clock (zero at its run's first volume) is the reference clock.
            TimesOnReferenceClock = run is null && opened.Count == 0,
            NoSyncLineReason = $"a physio file carries no sync line; load its fMRI run (--fmri) so it follows the run's clock, or place it with {SyncSettings.Offset} {request.Name}=SECONDS",
        };
    }

    /// <summary>
    /// A series of a container file (NWB): timed by its own timestamps or rate in the file's
    /// seconds, so placed as the file's other objects are, not by an fMRI run's StartTime.
    /// </summary>
    private OpenedStream OpenContainer(IPhysioOpener container, StreamRequest request, SettingValues settings, IReadOnlyList<SessionStream> opened)
    {
        foreach (Setting<string> setting in new[] { PhysioSettings.Of, PhysioSettings.Sidecar })
        {
            if (settings.PerStream(setting).TryGet(request.Name, Name, out _))
            {
                throw new SettingException(setting, $"{request.Name} ({request.Path}): a series of a container file is timed by its own timestamps or rate, in the file's seconds; {setting} applies to BIDS physio files");
            }
        }

        return ContainerSources.OnFileClock(container.Format, request.Path, new OpenedStream(container.OpenPhysio(request.Path), []), opened);
    }

    /// <summary>
    /// The fMRI stream the physio file belongs to: the one named by the physio-of setting; else the
    /// one whose BIDS entities include every entity of the physio file's name (recording- aside);
    /// else the only fMRI stream; null when none is loaded.
    /// </summary>
    private SessionStream? RunOf(StreamRequest request, SettingValues settings, IReadOnlyList<SessionStream> opened)
    {
        SessionStream[] runs = opened.Where(s => s.Modality.Kind == ModalityKind.Fmri).ToArray();
        if (settings.PerStream(PhysioSettings.Of).TryGet(request.Name, Name, out string? named))
        {
            return runs.FirstOrDefault(s => s.Name == named)
                ?? throw new SettingException(PhysioSettings.Of, $"{request.Name}={named}: no fMRI stream '{named}' is loaded (fMRI streams: {(runs.Length == 0 ? "none" : string.Join(", ", runs.Select(s => s.Name)))})");
        }

        if (runs.Length <= 1)
        {
            return runs.FirstOrDefault();
        }

        BidsFileName physio = BidsFileName.Parse(request.Path);
        SessionStream[] matching = runs.Where(s => SameRun(physio, BidsFileName.Parse(s.Stream.SourcePath))).ToArray();
        return matching.Length == 1
            ? matching[0]
            : throw new SettingException(PhysioSettings.Of, $"{runs.Length} fMRI streams are loaded ({string.Join(", ", runs.Select(s => s.Name))}) and {(matching.Length == 0 ? "none" : $"{matching.Length}")} of them match the BIDS entities of {Path.GetFileName(request.Path)}; name its run, e.g. {request.Name}={runs[0].Name}");
    }

    private static bool SameRun(BidsFileName physio, BidsFileName bold) =>
        physio.IsBids && bold.IsBids
            && physio.Entities.Where(e => e.Key != "recording").All(e => bold.Entities.TryGetValue(e.Key, out string? value) && value == e.Value);

    /// <summary>The columns' names, the sidecar's timing facts and which run's clock the samples are on.</summary>
    public void DescribeOutput(SessionStream stream, bool isReference, StreamOutputDescription output)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(output);
        if (stream.Stream is ITableStream series)
        {
            // A container's series: its columns, unit and timing, as a table of that file gives them.
            output.Datasets["columns"] = series.Columns.ToArray();
            output.Attributes["axes"] = "window, point, column (the columns dataset names them)";
            output.Attributes["clock_assumption"] = stream.Opened.ClockOf is { } file
                ? $"the series' times are the container file's seconds, placed as {file} of the same file is"
                : "the series' times are the container file's seconds";
            foreach (var (key, value) in series.OutputAttributes)
            {
                output.Attributes[key] = value;
            }

            return;
        }

        if (stream.Stream is not Float32Stream { Source: BidsPhysioStream physio })
        {
            return;
        }

        output.Datasets["columns"] = physio.Columns.ToArray();
        output.Attributes["sampling_frequency_hz"] = physio.SamplingFrequencyHz;
        output.Attributes["start_time_s"] = physio.StartTimeSeconds;
        output.Attributes["sidecars"] = string.Join(", ", physio.Sidecars);
        output.Attributes["units"] = "as recorded (see the sidecar's <column>.Units)";
        output.Attributes["axes"] = "window, point, column (the columns dataset names them)";
        if (stream.Opened.ClockOf is { } run)
        {
            output.Attributes["clock_assumption"] =
                $"StartTime counts from the onset of the first volume stored in {run}'s image (volume 0, before its slice offsets): sample k is at that onset + StartTime + k / SamplingFrequency on {run}'s clock, mapped to the reference as {run} is";
        }
        else if (isReference)
        {
            output.Attributes["clock_assumption"] = "reference stream without its fMRI run: time zero is its run's first volume onset, so sample 0 is at StartTime";
        }
        else
        {
            output.Attributes["clock_assumption"] = stream.Placement;
        }
    }
}
