using System.Globalization;
using NeuroAlign.Streams;

namespace NeuroAlign.Formats.SpikeGlx;

/// <summary>
/// Where each saved channel's electrode sits, from the metadata as SpikeGLX's SGLXMetaToCoords
/// reads it: ~snsGeomMap gives x and z in µm per shank (newer files); ~snsShankMap gives only grid
/// indices (shank:column:row), which the probe type's published geometry turns into µm.
/// </summary>
public static class SpikeGlxGeometry
{
    /// <summary>A probe family's layout: offsets and pitches in µm (SGLXMetaToCoords' geometry parameters).</summary>
    private sealed record Family(string Name, double ShankPitch, double EvenRowX, double OddRowX, double ColumnPitch, double RowPitch);

    // Published geometry of the probe families whose metadata may hold only ~snsShankMap.
    private static readonly Family Np1 = new("NP1.0 (staggered, 20 µm rows)", 0, 27, 11, 32, 20);
    private static readonly Family Np2SingleShank = new("NP2.0 single shank (15 µm rows)", 0, 27, 27, 32, 15);
    private static readonly Family Np2FourShank = new("NP2.0 four shanks 250 µm apart (15 µm rows)", 250, 27, 27, 32, 15);

    /// <summary>The family of an imDatPrb_type (null: phase 3A/3B metadata, which are NP1.0), or null when not one of those above.</summary>
    private static Family? FamilyOf(int? probeType) => probeType switch
    {
        null or 0 => Np1,
        21 or 2003 or 2004 => Np2SingleShank,
        24 or 2013 or 2014 => Np2FourShank,
        _ => null,
    };

    /// <summary>
    /// Each saved channel's site (null for SY words), or no sites with the reason in
    /// <paramref name="notes"/> when the metadata cannot place them.
    /// </summary>
    public static ChannelLayout Layout(SpikeGlxMeta meta, SpikeGlxChannelMap map, ICollection<string> notes)
    {
        ArgumentNullException.ThrowIfNull(meta);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(notes);
        string[] names = [.. map.Channels.Select(c => c.Name)];
        var neural = map.Channels.Where(c => c.Kind is SpikeGlxChannelKind.ImecAp or SpikeGlxChannelKind.ImecLf).ToArray();
        if (neural.Length == 0 || map.Sites.Count == 0)
        {
            return new ChannelLayout(names, [], null);
        }

        // The map lists the saved neural channels in file order: AP ones, then LF ones of the same electrodes.
        int apCount = neural.Count(c => c.Kind == SpikeGlxChannelKind.ImecAp);
        int perBand = map.Sites.Count == neural.Length ? neural.Length : apCount > 0 ? apCount : neural.Length;
        if (map.Sites.Count != neural.Length && map.Sites.Count != perBand)
        {
            notes.Add($"~{map.SiteSource} has {map.Sites.Count} sites for {neural.Length} saved AP/LF channels: no channel positions");
            return new ChannelLayout(names, [], null);
        }

        Func<SpikeGlxSite, ProbeSite>? place = map.SiteSource == SpikeGlxConstants.GeometryMapTable
            ? GeometryMapPlacement(meta)
            : ShankMapPlacement(map.ProbeType, notes);
        if (place is null)
        {
            return new ChannelLayout(names, [], null);
        }

        var sites = new ProbeSite?[map.Channels.Count];
        for (int i = 0; i < neural.Length; i++)
        {
            sites[neural[i].Column] = place(map.Sites[i % map.Sites.Count]);
        }

        string source = map.SiteSource == SpikeGlxConstants.GeometryMapTable
            ? $"~{SpikeGlxConstants.GeometryMapTable} (µm per shank, plus shank × shank pitch)"
            : $"~{SpikeGlxConstants.ShankMapTable} grid with the published geometry of {FamilyOf(map.ProbeType)!.Name}";
        return new ChannelLayout(names, sites, source);
    }

    /// <summary>~snsGeomMap=(part,shanks,shankPitch,shankWidth)(shank:x:z:used)…: x on the shank, plus the shank's offset.</summary>
    private static Func<SpikeGlxSite, ProbeSite> GeometryMapPlacement(SpikeGlxMeta meta)
    {
        SpikeGlxTable table = meta.GetTable(SpikeGlxConstants.GeometryMapTable);
        double pitch = table.Header.Count >= 3 && double.TryParse(table.Header[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double p) && double.IsFinite(p) && p >= 0
            ? p
            : throw new InvalidRecordingException(meta.Path, $"key '~{SpikeGlxConstants.GeometryMapTable}' header", $"'({string.Join(",", table.Header)})'", "(part,shanks,shank pitch in µm,shank width in µm)");
        return s => new ProbeSite(s.Shank, (s.Shank * pitch) + s.X, s.Z);
    }

    /// <summary>~snsShankMap=(shanks,columns,rows)(shank:column:row:used)…: grid indices placed by the probe family's geometry.</summary>
    private static Func<SpikeGlxSite, ProbeSite>? ShankMapPlacement(int? probeType, ICollection<string> notes)
    {
        if (FamilyOf(probeType) is not { } family)
        {
            notes.Add($"probe type {probeType}: its geometry is not known here and the .meta has no ~{SpikeGlxConstants.GeometryMapTable}: no channel positions");
            return null;
        }

        return s =>
        {
            int row = (int)s.Z;
            double x = (s.Shank * family.ShankPitch) + (row % 2 == 0 ? family.EvenRowX : family.OddRowX) + (s.X * family.ColumnPitch);
            return new ProbeSite(s.Shank, x, row * family.RowPitch);
        };
    }
}
