namespace NeuroAlign.Streams;

/// <summary>Where one channel's electrode sits on the probe.</summary>
/// <param name="Shank">The shank, 0 for single-shank probes.</param>
/// <param name="XUm">Across the whole probe in µm, the shank's offset included (shank × shank pitch + x on the shank).</param>
/// <param name="YUm">Along the shank in µm, from the tip-most electrode row (SpikeGLX's z, probeinterface's y).</param>
public readonly record struct ProbeSite(int Shank, double XUm, double YUm);

/// <summary>
/// The channels of a stream as its metadata names and places them, in stream order. A channel
/// that is no electrode (a sync word, an analog input) has no site.
/// </summary>
/// <param name="Names">Each channel's name as the recording system writes it (AP12, CH334, XA0).</param>
/// <param name="Sites">Each channel's site, null where it has none; empty when the metadata gives no geometry.</param>
/// <param name="SiteSource">Where the sites came from, for `info` and the output's attributes.</param>
/// <param name="Units">
/// Each channel's natural unit as the metadata gives it ("uV" for probe channels, "V" for NIDQ and
/// NI-DAQ analog inputs, "counts" for digital words and values of no known unit); empty when the
/// metadata says nothing (then <see cref="ChannelUnits.Natural"/> assumes microvolts).
/// </param>
/// <param name="Locations">
/// Each channel's brain location as the metadata names it (an NWB electrodes table's <c>location</c>:
/// "CA1", "DG"; "" where none is given); null or empty when the metadata names none.
/// </param>
public sealed record ChannelLayout(IReadOnlyList<string> Names, IReadOnlyList<ProbeSite?> Sites, string? SiteSource, IReadOnlyList<string>? Units = null, IReadOnlyList<string>? Locations = null)
{
    /// <summary>Whether any channel has a site.</summary>
    public bool HasSites => Sites.Any(s => s.HasValue);

    /// <summary>The layout of a subset of the channels, in the order given.</summary>
    public ChannelLayout Select(IReadOnlyList<int> positions)
    {
        ArgumentNullException.ThrowIfNull(positions);
        return new ChannelLayout(
            [.. positions.Select(p => Names[p])],
            Sites.Count == 0 ? [] : [.. positions.Select(p => Sites[p])],
            SiteSource,
            Units is null || Units.Count == 0 ? Units : [.. positions.Select(p => Units[p])],
            Locations is null || Locations.Count == 0 ? Locations : [.. positions.Select(p => Locations[p])]);
    }
}
