using System.Globalization;

namespace NeuroAlign.Formats.SpikeGlx;

/// <summary>What a saved SpikeGLX channel holds.</summary>
public enum SpikeGlxChannelKind
{
    /// <summary>Imec action-potential band.</summary>
    ImecAp,

    /// <summary>Imec local-field-potential band.</summary>
    ImecLf,

    /// <summary>Imec SY word: status bits and the sync input (bit 6).</summary>
    ImecSync,

    /// <summary>Nidq multiplexed neural channel (gain niMNGain).</summary>
    NidqMn,

    /// <summary>Nidq multiplexed auxiliary analog channel (gain niMAGain).</summary>
    NidqMa,

    /// <summary>Nidq non-multiplexed analog channel (gain 1).</summary>
    NidqXa,

    /// <summary>Nidq 16-bit digital word (lines as bits).</summary>
    NidqDigital,
}

/// <summary>One saved channel: its column in the .bin, the acquired channel it was, and its gain.</summary>
/// <param name="Column">Position in each sample of the .bin.</param>
/// <param name="AcquiredIndex">Index in the acquired stream (snsSaveChanSubset): the channel id.</param>
/// <param name="Kind">What it holds.</param>
/// <param name="Name">The name in ~snsChanMap ("AP12", "SY0", "XD0"), or one built the same way.</param>
/// <param name="AmplifierGain">The amplifier gain applied (imro/imChan0apGain/niMNGain…); 1 for words and XA.</param>
/// <param name="GainToMicrovolts">Microvolts per count; 1 for digital words, which are not voltages.</param>
public sealed record SpikeGlxChannel(int Column, int AcquiredIndex, SpikeGlxChannelKind Kind, string Name, double AmplifierGain, double GainToMicrovolts);

/// <summary>A recording site of ~snsShankMap (grid: column and row indices) or ~snsGeomMap (x and z in µm).</summary>
public sealed record SpikeGlxSite(int Shank, double X, double Z, bool Used);

/// <summary>
/// The saved channels of a SpikeGLX file worked out from its metadata: which acquired channel each
/// column is, what it holds, and its gain to microvolts — V = i × Vmax / Imax / gain
/// (Metadata_30.md, imAiRangeMax and niAiRangeMax).
/// </summary>
public sealed class SpikeGlxChannelMap
{
    private SpikeGlxChannelMap(
        IReadOnlyList<SpikeGlxChannel> channels, string conversion, int? probeType, IReadOnlyList<SpikeGlxSite> sites, string? siteSource, IReadOnlyList<string> warnings)
    {
        Channels = channels;
        Conversion = conversion;
        ProbeType = probeType;
        Sites = sites;
        SiteSource = siteSource;
        Warnings = warnings;
    }

    /// <summary>The saved channels in file order.</summary>
    public IReadOnlyList<SpikeGlxChannel> Channels { get; }

    /// <summary>How counts become volts, e.g. "imAiRangeMax 0.6 V / imMaxInt 512 / gain".</summary>
    public string Conversion { get; }

    /// <summary>imDatPrb_type (null for nidq and for phase 3A/3B1 metadata, which predate it).</summary>
    public int? ProbeType { get; }

    /// <summary>Sites of the neural channels from ~snsShankMap or ~snsGeomMap (empty when neither).</summary>
    public IReadOnlyList<SpikeGlxSite> Sites { get; }

    /// <summary>The table the sites came from.</summary>
    public string? SiteSource { get; }

    /// <summary>Gains the metadata did not give, and what was used instead.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>Works out the saved channels of an imec or nidq file.</summary>
    /// <exception cref="InvalidRecordingException">A required key is missing or inconsistent.</exception>
    public static SpikeGlxChannelMap Build(SpikeGlxMeta meta)
    {
        ArgumentNullException.ThrowIfNull(meta);
        string type = meta.StreamType;
        return type switch
        {
            SpikeGlxConstants.TypeImec => BuildImec(meta),
            SpikeGlxConstants.TypeNidq => BuildNidq(meta),
            _ => throw new InvalidRecordingException(meta.Path, $"key '{SpikeGlxConstants.TypeThis}'", $"'{type}'", "imec or nidq (OneBox obx streams are not supported yet)"),
        };
    }

    private static IReadOnlyList<int> SavedChannels(SpikeGlxMeta meta, int savedCount)
    {
        if (savedCount <= 0 || savedCount > ReaderLimits.MaxChannels)
        {
            throw new InvalidRecordingException(
                meta.Path, $"key '{SpikeGlxConstants.SavedChannelCount}'", savedCount.ToString(CultureInfo.InvariantCulture), $"a channel count from 1 to {ReaderLimits.MaxChannels}");
        }

        IReadOnlyList<int> saved = meta.Contains(SpikeGlxConstants.SaveChannelSubset)
            ? meta.GetChannelList(SpikeGlxConstants.SaveChannelSubset, savedCount)
            : Enumerable.Range(0, savedCount).ToArray();
        if (saved.Count != savedCount)
        {
            throw new InvalidRecordingException(
                meta.Path,
                $"key '{SpikeGlxConstants.SaveChannelSubset}'",
                $"{saved.Count} channels",
                $"{savedCount} channels, as {SpikeGlxConstants.SavedChannelCount} says");
        }

        for (int i = 1; i < saved.Count; i++)
        {
            if (saved[i] <= saved[i - 1])
            {
                throw new InvalidRecordingException(
                    meta.Path, $"key '{SpikeGlxConstants.SaveChannelSubset}'", $"channel {saved[i]} after {saved[i - 1]}", "increasing channel numbers");
            }
        }

        return saved;
    }

    private static void CheckCounts(SpikeGlxMeta meta, string key, int[] counts, int savedCount)
    {
        // Summed as longs: "2147483647,2147483647,1" must be a wrong sum, not an OverflowException.
        long sum = counts.Sum(c => (long)c);
        if (counts.Any(c => c < 0) || sum != savedCount)
        {
            throw new InvalidRecordingException(
                meta.Path, $"key '{key}'", $"'{meta.GetString(key)}' (sum {sum})", $"non-negative counts adding up to {SpikeGlxConstants.SavedChannelCount} = {savedCount}");
        }
    }

    private static SpikeGlxChannelMap BuildImec(SpikeGlxMeta meta)
    {
        int savedCount = meta.GetInt(SpikeGlxConstants.SavedChannelCount);
        IReadOnlyList<int> saved = SavedChannels(meta, savedCount);
        int[] savedApLfSy = meta.GetIntList(SpikeGlxConstants.ImecSavedApLfSy, 3);
        CheckCounts(meta, SpikeGlxConstants.ImecSavedApLfSy, savedApLfSy, savedCount);
        int[] acquiredApLfSy = meta.GetIntList(SpikeGlxConstants.ImecAcquiredApLfSy, 3);
        int acquiredAp = acquiredApLfSy[0];

        int? probeType = meta.TryGetInt(SpikeGlxConstants.ImecProbeType);
        bool np1Imro = probeType is null || SpikeGlxConstants.Np1ImroProbeTypes.Contains(probeType.Value);
        int maxInt = meta.TryGetInt(SpikeGlxConstants.ImecMaxInt)
            ?? (np1Imro ? SpikeGlxConstants.Np1DefaultMaxInt : SpikeGlxConstants.Np2DefaultMaxInt);
        double rangeMax = meta.GetDouble(SpikeGlxConstants.ImecRangeMax);
        if (maxInt <= 0 || !(rangeMax > 0))
        {
            throw new InvalidRecordingException(
                meta.Path, $"keys '{SpikeGlxConstants.ImecRangeMax}' and '{SpikeGlxConstants.ImecMaxInt}'", $"{rangeMax} and {maxInt}", "positive numbers");
        }

        var warnings = new List<string>();
        Dictionary<int, string[]>? imro = np1Imro && savedApLfSy[0] + savedApLfSy[1] > 0 ? ImroEntries(meta) : null;
        double apGain = 0, lfGain = 0;
        if (!np1Imro)
        {
            (apGain, lfGain) = Np2Gains(meta, probeType!.Value, warnings);
        }

        Dictionary<int, string> names = ChannelNames(meta);
        var channels = new SpikeGlxChannel[savedCount];
        for (int column = 0; column < savedCount; column++)
        {
            int acquired = saved[column];

            // Saved columns are in acquisition order: AP, then LF, then SY (snsApLfSy counts them).
            SpikeGlxChannelKind kind = column < savedApLfSy[0] ? SpikeGlxChannelKind.ImecAp
                : column < savedApLfSy[0] + savedApLfSy[1] ? SpikeGlxChannelKind.ImecLf
                : SpikeGlxChannelKind.ImecSync;

            // LF channels are acquired after the AP ones: LF of electrode channel c is acquired index acqAP + c.
            int probeChannel = kind == SpikeGlxChannelKind.ImecLf && acquired >= acquiredAp ? acquired - acquiredAp : acquired;
            double gain = kind switch
            {
                SpikeGlxChannelKind.ImecSync => 1,
                _ when imro != null => ImroGain(meta, imro, probeChannel, kind),
                SpikeGlxChannelKind.ImecAp => apGain,
                _ => lfGain,
            };
            double toMicrovolts = kind == SpikeGlxChannelKind.ImecSync ? 1.0 : rangeMax / maxInt / gain * 1e6;
            string name = names.TryGetValue(acquired, out string? n) ? n
                : kind switch
                {
                    SpikeGlxChannelKind.ImecAp => $"AP{probeChannel}",
                    SpikeGlxChannelKind.ImecLf => $"LF{probeChannel}",
                    _ => $"SY{column - savedApLfSy[0] - savedApLfSy[1]}",
                };
            channels[column] = new SpikeGlxChannel(column, acquired, kind, name, gain, toMicrovolts);
        }

        CheckGains(meta, channels, $"{SpikeGlxConstants.ImecRangeMax} {rangeMax:R} / {SpikeGlxConstants.ImecMaxInt} {maxInt} / gain");
        (IReadOnlyList<SpikeGlxSite> sites, string? siteSource) = ReadSites(meta, savedApLfSy[0] + savedApLfSy[1], warnings);
        string conversion = $"{SpikeGlxConstants.ImecRangeMax} {rangeMax:R} V / {SpikeGlxConstants.ImecMaxInt} {maxInt}"
            + (meta.Contains(SpikeGlxConstants.ImecMaxInt) ? "" : " (default)") + " / gain × 1e6";
        return new SpikeGlxChannelMap(channels, conversion, probeType, sites, siteSource, warnings);
    }

    /// <summary>
    /// Every gain to microvolts must be a positive finite number: a range of 1e308 or an amplifier
    /// gain of 1e-308 gives infinity, which would turn every sample into ±∞ µV.
    /// </summary>
    private static void CheckGains(SpikeGlxMeta meta, SpikeGlxChannel[] channels, string formula)
    {
        foreach (SpikeGlxChannel c in channels)
        {
            if (!(double.IsFinite(c.GainToMicrovolts) && c.GainToMicrovolts > 0))
            {
                throw new InvalidRecordingException(
                    meta.Path,
                    $"gain of channel {c.Name} ({formula} × 1e6, gain {c.AmplifierGain.ToString("R", CultureInfo.InvariantCulture)})",
                    c.GainToMicrovolts.ToString("R", CultureInfo.InvariantCulture) + " uV per count",
                    "a positive, finite number of microvolts per count");
            }
        }
    }

    private static Dictionary<int, string[]> ImroEntries(SpikeGlxMeta meta)
    {
        SpikeGlxTable table = meta.GetTable(SpikeGlxConstants.ImroTable);
        var entries = new Dictionary<int, string[]>();
        foreach (string entry in table.Entries)
        {
            string[] fields = entry.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length <= SpikeGlxConstants.ImroLfGainField
                || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out int channel))
            {
                throw new InvalidRecordingException(
                    meta.Path, $"key '~{SpikeGlxConstants.ImroTable}'", $"the entry '({SpikeGlxMeta.Shorten(entry)})'", "(channel bank refid apGain lfGain …) as NP 1.0 probes write it");
            }

            entries[channel] = fields;
        }

        return entries;
    }

    private static double ImroGain(SpikeGlxMeta meta, Dictionary<int, string[]> imro, int probeChannel, SpikeGlxChannelKind kind)
    {
        int field = kind == SpikeGlxChannelKind.ImecAp ? SpikeGlxConstants.ImroApGainField : SpikeGlxConstants.ImroLfGainField;
        if (!imro.TryGetValue(probeChannel, out string[]? fields))
        {
            throw new InvalidRecordingException(
                meta.Path, $"key '~{SpikeGlxConstants.ImroTable}'", $"no entry for channel {probeChannel}", "an entry for every saved AP/LF channel");
        }

        return double.TryParse(fields[field], NumberStyles.Float, CultureInfo.InvariantCulture, out double gain) && gain > 0
            ? gain
            : throw new InvalidRecordingException(
                meta.Path,
                $"key '~{SpikeGlxConstants.ImroTable}' channel {probeChannel} field {field}",
                $"'{fields[field]}'",
                $"a positive {(kind == SpikeGlxChannelKind.ImecAp ? "AP" : "LF")} gain");
    }

    private static (double Ap, double Lf) Np2Gains(SpikeGlxMeta meta, int probeType, List<string> warnings)
    {
        if (meta.TryGetDouble(SpikeGlxConstants.ImecChan0ApGain) is { } ap)
        {
            // NP 2.0 has no LF band; CatGT can still make an LF file from the AP data, with the AP gain.
            return (ap, meta.TryGetDouble(SpikeGlxConstants.ImecChan0LfGain) ?? ap);
        }

        double fallback = SpikeGlxConstants.Np2Gain80ProbeTypes.Contains(probeType) ? 80
            : SpikeGlxConstants.Np2Gain100ProbeTypes.Contains(probeType) ? 100
            : 0;
        if (fallback == 0)
        {
            warnings.Add($"no {SpikeGlxConstants.ImecChan0ApGain} and no known default AP gain for probe type {probeType}: amplifier gain taken as 1, so gain_to_uV is likely wrong");
            return (1, 1);
        }

        return (fallback, fallback);
    }

    private static SpikeGlxChannelMap BuildNidq(SpikeGlxMeta meta)
    {
        int savedCount = meta.GetInt(SpikeGlxConstants.SavedChannelCount);
        IReadOnlyList<int> saved = SavedChannels(meta, savedCount);
        int[] counts = meta.GetIntList(SpikeGlxConstants.NidqSavedMnMaXaDw, 4);
        CheckCounts(meta, SpikeGlxConstants.NidqSavedMnMaXaDw, counts, savedCount);
        double rangeMax = meta.GetDouble(SpikeGlxConstants.NidqRangeMax);
        int maxInt = meta.TryGetInt(SpikeGlxConstants.NidqMaxInt) ?? SpikeGlxConstants.NidqDefaultMaxInt;
        double mnGain = counts[0] > 0 ? meta.GetDouble(SpikeGlxConstants.NidqMnGain) : 1;
        double maGain = counts[1] > 0 ? meta.GetDouble(SpikeGlxConstants.NidqMaGain) : 1;
        if (!(rangeMax > 0) || maxInt <= 0 || !(mnGain > 0) || !(maGain > 0))
        {
            throw new InvalidRecordingException(
                meta.Path, "nidq gains", $"niAiRangeMax {rangeMax}, niMaxInt {maxInt}, niMNGain {mnGain}, niMAGain {maGain}", "positive numbers");
        }

        Dictionary<int, string> names = ChannelNames(meta);
        var channels = new SpikeGlxChannel[savedCount];
        for (int column = 0; column < savedCount; column++)
        {
            // Saved columns are in the order MN, MA, XA, DW (snsMnMaXaDw counts them); readSGLX.ChanGainNI.
            (SpikeGlxChannelKind kind, double gain, string prefix, int first) =
                column < counts[0] ? (SpikeGlxChannelKind.NidqMn, mnGain, "MN", 0)
                : column < counts[0] + counts[1] ? (SpikeGlxChannelKind.NidqMa, maGain, "MA", counts[0])
                : column < counts[0] + counts[1] + counts[2] ? (SpikeGlxChannelKind.NidqXa, 1.0, "XA", counts[0] + counts[1])
                : (SpikeGlxChannelKind.NidqDigital, 1.0, "XD", counts[0] + counts[1] + counts[2]);
            double toMicrovolts = kind == SpikeGlxChannelKind.NidqDigital ? 1.0 : rangeMax / maxInt / gain * 1e6;
            int acquired = saved[column];
            string name = names.TryGetValue(acquired, out string? n) ? n : $"{prefix}{column - first}";
            channels[column] = new SpikeGlxChannel(column, acquired, kind, name, gain, toMicrovolts);
        }

        CheckGains(meta, channels, $"{SpikeGlxConstants.NidqRangeMax} {rangeMax:R} / {SpikeGlxConstants.NidqMaxInt} {maxInt} / gain");
        // The gains as the .meta gives them (a gain of a kind with no saved channel is not used, but is not 1 either).
        string Given(string key) => meta.TryGetDouble(key) is { } g ? g.ToString("R", CultureInfo.InvariantCulture) : "absent";
        string conversion = $"{SpikeGlxConstants.NidqRangeMax} {rangeMax:R} V / {SpikeGlxConstants.NidqMaxInt} {maxInt} / gain ({SpikeGlxConstants.NidqMnGain} {Given(SpikeGlxConstants.NidqMnGain)}{(counts[0] > 0 ? "" : ", no MN saved")}, {SpikeGlxConstants.NidqMaGain} {Given(SpikeGlxConstants.NidqMaGain)}{(counts[1] > 0 ? "" : ", no MA saved")}, XA 1) × 1e6";
        return new SpikeGlxChannelMap(channels, conversion, null, [], null, []);
    }

    private static Dictionary<int, string> ChannelNames(SpikeGlxMeta meta)
    {
        // ~snsChanMap entries are "name;acquiredIndex:displayOrder" (Metadata_30.md, snsChanMap).
        var names = new Dictionary<int, string>();
        if (meta.TryGetTable(SpikeGlxConstants.ChannelMapTable) is not { } map)
        {
            return names;
        }

        foreach (string entry in map.Entries)
        {
            int semicolon = entry.IndexOf(';', StringComparison.Ordinal);
            int colon = entry.LastIndexOf(':');
            if (semicolon <= 0 || colon < semicolon
                || !int.TryParse(entry.AsSpan(semicolon + 1, colon - semicolon - 1), NumberStyles.None, CultureInfo.InvariantCulture, out int acquired))
            {
                throw new InvalidRecordingException(
                    meta.Path, $"key '~{SpikeGlxConstants.ChannelMapTable}'", $"the entry '({SpikeGlxMeta.Shorten(entry)})'", "(name;channel:order)");
            }

            names[acquired] = entry[..semicolon];
        }

        return names;
    }

    /// <summary>Shanks a probe may have (Neuropixels have 1 or 4).</summary>
    private const int MaxShanks = 64;

    /// <summary>The largest site coordinate accepted: 100 mm in µm, far past any probe (NP2.0 shanks are 10 mm).</summary>
    private const double MaxSiteCoordinate = 100_000;

    private static (IReadOnlyList<SpikeGlxSite> Sites, string? Source) ReadSites(SpikeGlxMeta meta, int neuralChannels, List<string> warnings)
    {
        // ~snsShankMap entries are shank:col:row:used; newer ~snsGeomMap entries are shank:x:z:used in µm.
        string? source = meta.Contains("~" + SpikeGlxConstants.GeometryMapTable) ? SpikeGlxConstants.GeometryMapTable
            : meta.Contains("~" + SpikeGlxConstants.ShankMapTable) ? SpikeGlxConstants.ShankMapTable
            : null;
        if (source is null)
        {
            return ([], null);
        }

        SpikeGlxTable table = meta.GetTable(source);
        var sites = new List<SpikeGlxSite>(table.Entries.Count);
        foreach (string entry in table.Entries)
        {
            string[] f = entry.Split(':');
            if (f.Length != 4
                || !int.TryParse(f[0], NumberStyles.None, CultureInfo.InvariantCulture, out int shank)
                || !double.TryParse(f[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double x)
                || !double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double z)
                || f[3] is not ("0" or "1"))
            {
                throw new InvalidRecordingException(meta.Path, $"key '~{source}'", $"the entry '({SpikeGlxMeta.Shorten(entry)})'", "(shank:x:z:used)");
            }

            // A probe is a few millimetres: a coordinate past MaxSiteCoordinate (µm, or grid steps in
            // ~snsShankMap) is a damaged table, not geometry, and would give infinite or wrapped positions.
            if (shank > MaxShanks || !(Math.Abs(x) <= MaxSiteCoordinate) || !(Math.Abs(z) <= MaxSiteCoordinate)
                || (source == SpikeGlxConstants.ShankMapTable && (x < 0 || z < 0 || x != Math.Floor(x) || z != Math.Floor(z))))
            {
                throw new InvalidRecordingException(
                    meta.Path,
                    $"key '~{source}'",
                    $"the entry '({SpikeGlxMeta.Shorten(entry)})'",
                    source == SpikeGlxConstants.ShankMapTable
                        ? $"shank at most {MaxShanks}, column and row whole numbers from 0 to {MaxSiteCoordinate}"
                        : $"shank at most {MaxShanks}, x and z within ±{MaxSiteCoordinate} µm");
            }

            sites.Add(new SpikeGlxSite(shank, x, z, f[3] == "1"));
        }

        if (sites.Count != neuralChannels)
        {
            warnings.Add($"~{source} has {sites.Count} sites for {neuralChannels} saved AP/LF channels");
        }

        return (sites, source);
    }
}
