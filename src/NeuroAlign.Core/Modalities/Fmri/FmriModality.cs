using NeuroAlign.Filtering;
using NeuroAlign.Formats.Nifti;
using NeuroAlign.Sessions;
using NeuroAlign.Streams;

namespace NeuroAlign.Modalities.Fmri;

/// <summary>The settings of fMRI runs.</summary>
public static class FmriSettings
{
    public static readonly Setting<string> Cache = Setting.Text(
        "fmri-cache", "DIR", "folder for the one-time decompressed copy of a .nii.gz", "$NEUROALIGN_CACHE_DIR or <temp>/neuroalign-cache");

    public static readonly Setting<string> Sidecar = Setting.Text(
        "fmri-sidecar", "JSON", "use this BIDS sidecar instead of finding the run's _bold.json and the ones it inherits; per run: NAME=JSON", scope: SettingScope.PerStream);

    public static readonly Setting<PulseSource> Trigger = Setting.Of(
        "fmri-sync", "STREAM:LINE", "scanner trigger, one pulse per volume (dummy scans included), on a line of an ephys stream, or a FILE of pulse times on the reference clock; per run: NAME=STREAM:LINE",
        text => PulseSource.Parse("fmri-sync", text), scope: SettingScope.PerStream);

    public static IReadOnlyList<Setting> All { get; } = [Cache, Sidecar];
}

/// <summary>fMRI runs: NIfTI-1/2 with BIDS timing; one volume per sample; tied by scanner triggers.</summary>
public sealed class FmriModality : IModality
{
    public string Name => "fmri";

    public ModalityKind Kind => ModalityKind.Fmri;

    /// <summary>Filter rules read signal (the scaled intensity) and t; rules without scope apply.</summary>
    public FilterScope FilterScope { get; } = new(
        "fmri",
        [FilterVariable.Signal(FilterQuantity.None, "the scaled intensity"), FilterVariable.Time],
        appliesUnscoped: true);

    public string PathHelp => "fMRI run: NIfTI .nii/.nii.gz with BIDS sidecar";

    public int ReferencePriority => 2;

    public PerSampleSync PerSampleSync { get; } = new(FmriSettings.Trigger, "volume", "trigger", ExtraPulsesLead: true);

    public IReadOnlyList<Setting> Settings => FmriSettings.All;

    /// <summary>Whether <paramref name="path"/> names a NIfTI image.</summary>
    public static bool IsNifti(string path) =>
        path.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase);

    public bool Claims(string path) => IsNifti(path);

    public void CheckSettings(SettingValues settings, IReadOnlyList<StreamRequest> streams)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Session.RequirePaths(settings, FmriSettings.Sidecar, streams);
    }

    public OpenedStream Open(StreamRequest request, SettingValues settings, ISessionLog log, IReadOnlyList<SessionStream> opened)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        var options = new NiftiOptions(
            CacheDirectory: settings.Find(FmriSettings.Cache),
            SidecarPath: settings.PerStream(FmriSettings.Sidecar).TryGet(request.Name, Name, out string? sidecar) ? sidecar : null,
            OnWarning: log.Warn);
        return new OpenedStream(NiftiReader.Open(request.Path, options), []);
    }

    /// <summary>
    /// Where the timing came from, the scaling, and the slice timing (a voxel's acquisition time is
    /// source_time + slice_timing_s[its slice]).
    /// </summary>
    public void DescribeOutput(SessionStream stream, bool isReference, StreamOutputDescription output)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(output);
        if (stream.Stream is not NiftiStream fmri)
        {
            return;
        }

        output.Attributes["timing_source"] = fmri.Timing.TimingSource;
        output.Attributes["repetition_time_s"] = fmri.Timing.RepetitionTimeSeconds ?? double.NaN;
        output.Attributes["scl_slope"] = fmri.Header.Scaling.Slope;
        output.Attributes["scl_inter"] = fmri.Header.Scaling.Intercept;
        output.Attributes["stored_dtype"] = fmri.Header.ElementType.ToText();
        output.Attributes["axes"] = "window, point, x, y, z (nibabel get_fdata()[x, y, z, t] axes)";
        output.Attributes["clock_assumption"] = isReference
            ? "reference stream: its first volume onset is time zero"
            : "no shared clock or sync with the reference: the first volume onset is put at the reference's zero";
        if (fmri.Timing.SliceTimingSeconds is not null)
        {
            // Offsets after each volume's onset, in slice-index order along slice_axis.
            output.Datasets["slice_timing_s"] = Enumerable.Range(0, fmri.Timing.SliceCount).Select(fmri.Timing.SliceOffsetSeconds).ToArray();
            output.Attributes["slice_axis"] = "xyz"[fmri.Timing.SliceAxis].ToString();
        }
    }
}
