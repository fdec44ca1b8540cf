using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Formats.Bids;
using NeuroAlign.Formats.Nifti;
using NeuroAlign.Streams;

namespace NeuroAlign.Cli.Inputs;

/// <summary>Opens fMRI runs (NIfTI + BIDS sidecars) and BIDS physio recordings from the command line.</summary>
internal static class FmriInput
{
    public static readonly OptionSpec[] Options =
    [
        new("--fmri-cache", "DIR", "folder for the one-time decompressed copy of a .nii.gz (default $NEUROALIGN_CACHE_DIR or <temp>/neuroalign-cache)"),
        new("--fmri-sidecar", "JSON", "use this BIDS sidecar instead of finding the run's _bold.json and the ones it inherits"),
    ];

    /// <summary>Whether <paramref name="path"/> names a NIfTI image.</summary>
    public static bool IsNifti(string path) =>
        path.EndsWith(".nii", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether <paramref name="path"/> names a BIDS physiological recording.</summary>
    public static bool IsPhysio(string path) =>
        path.EndsWith("_physio.tsv.gz", StringComparison.OrdinalIgnoreCase) || path.EndsWith("_physio.tsv", StringComparison.OrdinalIgnoreCase);

    /// <summary>Checks the fMRI options that need no image, before anything is opened.</summary>
    public static void CheckOptions(ParsedArgs args)
    {
        if (args.Get("--fmri-sidecar") is { } sidecar)
        {
            EphysInput.RequireFile(sidecar, "--fmri-sidecar");
        }
    }

    /// <summary>A single volume without timing has no native rate: the user must give one.</summary>
    public static void CheckRate(NiftiStream fmri, PerModality<double?> rates)
    {
        if (!double.IsFinite(fmri.Clock.MeanRateHz) && rates.Get("fmri", null) is null)
        {
            throw new UsageException($"--fmri {fmri.SourcePath} is a single volume without timing: give its output rate with --rate fmri=HZ");
        }
    }

    /// <summary>Opens a NIfTI run; its warnings go to stderr as they are found.</summary>
    public static NiftiStream Open(string path, ParsedArgs args, CliContext context)
    {
        EphysInput.RequireFile(path, "--fmri");
        var options = new NiftiOptions(
            CacheDirectory: args.Get("--fmri-cache"),
            SidecarPath: args.Get("--fmri-sidecar"),
            OnWarning: context.Warn);
        return NiftiReader.Open(path, options);
    }

    /// <summary>Opens a BIDS physio recording.</summary>
    public static BidsPhysioStream OpenPhysio(string path, ParsedArgs args)
    {
        EphysInput.RequireFile(path, "info");
        return BidsPhysioStream.Open(path, new BidsPhysioOptions(CacheDirectory: args.Get("--fmri-cache")));
    }

    /// <summary>
    /// What the fMRI group of an export records besides the common attributes: where the timing
    /// came from, the scaling, and the slice timing (a voxel's acquisition time is
    /// source_time + slice_timing_s[its slice]).
    /// </summary>
    public static void Describe(NiftiStream fmri, bool isReference, Dictionary<string, object> attributes, Dictionary<string, Array> extra)
    {
        attributes["timing_source"] = fmri.Timing.TimingSource;
        attributes["repetition_time_s"] = fmri.Timing.RepetitionTimeSeconds ?? double.NaN;
        attributes["scl_slope"] = fmri.Header.Scaling.Slope;
        attributes["scl_inter"] = fmri.Header.Scaling.Intercept;
        attributes["stored_dtype"] = fmri.Header.ElementType.ToText();
        attributes["axes"] = "window, point, x, y, z (nibabel get_fdata()[x, y, z, t] axes)";
        attributes["clock_assumption"] = isReference
            ? "reference stream: its first volume onset is time zero"
            : "no shared clock or sync with the reference: the first volume onset is put at the reference's zero";
        if (fmri.Timing.SliceTimingSeconds is not null)
        {
            // Offsets after each volume's onset, in slice-index order along slice_axis.
            extra["slice_timing_s"] = Enumerable.Range(0, fmri.Timing.SliceCount).Select(fmri.Timing.SliceOffsetSeconds).ToArray();
            attributes["slice_axis"] = "xyz"[fmri.Timing.SliceAxis].ToString();
        }
    }
}
