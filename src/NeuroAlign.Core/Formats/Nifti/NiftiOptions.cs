namespace NeuroAlign.Formats.Nifti;

/// <summary>How to open a NIfTI image.</summary>
/// <param name="CacheDirectory">
/// Folder for the decompressed copy of a .nii.gz (made once, reused while the source is unchanged);
/// null: $NEUROALIGN_CACHE_DIR, else &lt;temp&gt;/neuroalign-cache. See docs/formats/nifti.md.
/// </param>
/// <param name="UseSidecars">Whether to look for BIDS sidecars (the run's _bold.json and the ones it inherits).</param>
/// <param name="SidecarPath">A JSON sidecar to use instead of discovery (it overrides <paramref name="UseSidecars"/>).</param>
/// <param name="OnWarning">Called with each warning as it is found (the stream's Warnings lists them too).</param>
public sealed record NiftiOptions(
    string? CacheDirectory = null,
    bool UseSidecars = true,
    string? SidecarPath = null,
    Action<string>? OnWarning = null);
