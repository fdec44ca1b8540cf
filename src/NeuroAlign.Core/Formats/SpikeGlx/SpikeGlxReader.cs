using System.Globalization;
using NeuroAlign.Streams;
using NeuroAlign.Sync;
using NeuroAlign.Time;

namespace NeuroAlign.Formats.SpikeGlx;

/// <summary>
/// SpikeGLX recordings: a .bin of interleaved int16 samples (imec AP/LF or nidq) described by the
/// .meta beside it. Rate, saved channels, gains and t0 (firstSample / rate, on the stream's
/// acquisition clock) come from the .meta; the sample count from the .bin's size.
/// </summary>
public static class SpikeGlxReader
{
    public const string FormatName = "spikeglx";

    /// <summary>Whether <paramref name="path"/> is a .meta, or a .bin (or mtscomp .cbin) with a .meta beside it.</summary>
    public static bool IsSpikeGlx(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string extension = Path.GetExtension(path);
        return extension.Equals(SpikeGlxConstants.MetaExtension, StringComparison.OrdinalIgnoreCase)
            || ((extension.Equals(SpikeGlxConstants.BinExtension, StringComparison.OrdinalIgnoreCase) || extension.Equals(".cbin", StringComparison.OrdinalIgnoreCase))
                && File.Exists(Path.ChangeExtension(path, SpikeGlxConstants.MetaExtension)));
    }

    /// <summary>Opens a SpikeGLX recording given its .bin or its .meta.</summary>
    public static EphysRecording Open(string path) => Open(path, null, null);

    /// <summary>
    /// Opens a SpikeGLX recording whose samples are stored otherwise than as one .bin (a run of
    /// files, a compressed .cbin): <paramref name="dataPath"/> is the file beside the .meta and
    /// <paramref name="openData"/> opens its samples, with facts for `info`. The .meta is read as for a .bin.
    /// </summary>
    internal static EphysRecording Open(string path, string? dataPath, Func<SpikeGlxData, SpikeGlxOpenedData>? openData)
    {
        ArgumentNullException.ThrowIfNull(path);
        string binPath = dataPath ?? Path.ChangeExtension(path, SpikeGlxConstants.BinExtension);
        string metaPath = Path.ChangeExtension(path, SpikeGlxConstants.MetaExtension);
        if (!File.Exists(metaPath))
        {
            throw new NeuroAlignException($"{binPath}: no {Path.GetFileName(metaPath)} beside it: a SpikeGLX .bin needs its .meta");
        }

        if (!File.Exists(binPath))
        {
            throw new NeuroAlignException($"{metaPath}: no {Path.GetFileName(binPath)} beside it: the .meta describes a .bin that is not there");
        }

        SpikeGlxMeta meta = SpikeGlxMeta.Load(metaPath);
        SpikeGlxChannelMap map = SpikeGlxChannelMap.Build(meta);
        bool imec = meta.StreamType == SpikeGlxConstants.TypeImec;
        string rateKey = imec ? SpikeGlxConstants.ImecSampleRate : SpikeGlxConstants.NidqSampleRate;
        double rateHz = ReaderLimits.CheckRate(metaPath, $"key '{rateKey}'", meta.GetDouble(rateKey));
        long? firstSample = meta.TryGetLong(SpikeGlxConstants.FirstSample);
        if (firstSample is < 0 or > ReaderLimits.MaxExactSampleIndex)
        {
            // t0 = firstSample / rate is a double: past 2^53 neighbouring sample numbers share one
            // value, and times computed from it would be off by whole samples.
            throw new InvalidRecordingException(
                metaPath,
                $"key '{SpikeGlxConstants.FirstSample}'",
                firstSample.Value.ToString(CultureInfo.InvariantCulture),
                $"a sample index from 0 to 2^53 = {ReaderLimits.MaxExactSampleIndex} (larger ones are not exactly representable as times)");
        }

        // Metadata_30.md, firstSample: "the index number of the first sample recorded in this file",
        // counted on this stream's clock from the start of the run: t0 on the acquisition clock.
        double startSeconds = (firstSample ?? 0) / rateHz;
        int[] channelIds = map.Channels.Select(c => c.AcquiredIndex).ToArray();
        double[] gains = map.Channels.Select(c => c.GainToMicrovolts).ToArray();
        SpikeGlxOpenedData opened = openData?.Invoke(new SpikeGlxData(binPath, meta, map.Channels.Count, startSeconds, rateHz, channelIds, gains))
            ?? new SpikeGlxOpenedData(
                InterleavedBinaryStream.Open(
                    new InterleavedLayout(binPath, 0, map.Channels.Count, SampleType.Int16),
                    samples => new RegularClock(startSeconds, rateHz, samples),
                    channelIds,
                    gains,
                    FormatName),
                []);
        ContinuousStream data = opened.Data;
        try
        {
            var warnings = new List<string>(map.Warnings);
            long actualBytes = data.SampleCount * data.FrameBytes;
            // A run of files is no one .meta's fileSizeBytes.
            if (data is not SegmentedStream && meta.TryGetLong(SpikeGlxConstants.FileSizeBytes) is { } declaredBytes && declaredBytes != actualBytes)
            {
                warnings.Add($"{SpikeGlxConstants.FileSizeBytes}={declaredBytes} in the .meta but the .bin has {actualBytes} bytes: the real size wins ({data.SampleCount} samples)");
            }

            var details = new List<KeyValuePair<string, string>>
            {
                new("metadata", metaPath),
                new("stream", DescribeStream(meta, map)),
                new("saved channels", DescribeSaved(meta, map)),
                new("conversion", map.Conversion),
            };
            details.AddRange(DescribeGains(map));
            details.Add(new("t0 from", firstSample is { } fs
                ? $"{startSeconds:R} s = {SpikeGlxConstants.FirstSample} {fs} / {rateKey} {rateHz:R} Hz"
                : $"0 s: no {SpikeGlxConstants.FirstSample} in the .meta"));
            details.AddRange(opened.Details);
            if (SpikeGlxRun.DescribeCatGt(meta) is { } catGt)
            {
                details.Add(new("CatGT output", catGt));
            }

            var geometryNotes = new List<string>();
            ChannelLayout sites = SpikeGlxGeometry.Layout(meta, map, geometryNotes);
            if (map.Sites.Count > 0)
            {
                details.Add(new("sites", $"{map.Sites.Count} on {map.Sites.Select(s => s.Shank).Distinct().Count()} shank(s) (~{map.SiteSource})"));
            }

            if (sites.HasSites)
            {
                ProbeSite[] placed = [.. sites.Sites.OfType<ProbeSite>()];
                details.Add(new("positions", string.Create(CultureInfo.InvariantCulture, $"x {placed.Min(s => s.XUm):G6} to {placed.Max(s => s.XUm):G6} µm, y {placed.Min(s => s.YUm):G6} to {placed.Max(s => s.YUm):G6} µm from {sites.SiteSource}")));
            }

            details.AddRange(geometryNotes.Select(n => new KeyValuePair<string, string>("positions", n)));
            DigitalLineSet[] lines = imec ? ImecSyncLines(data, map) : NidqDigitalLines(meta, data, map);
            return new EphysRecording(data, map.Channels.Select(c => c.Name).ToArray(), details, lines, warnings, sites: sites, units: [.. map.Channels.Select(c => NaturalUnit(c.Kind))]);
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    /// <summary>What the reader knows of a recording's samples before they are opened.</summary>
    internal sealed record SpikeGlxData(string DataPath, SpikeGlxMeta Meta, int ChannelCount, double StartSeconds, double RateHz, int[] ChannelIds, double[] Gains);

    /// <summary>The opened samples and facts about their storage for `info`.</summary>
    internal sealed record SpikeGlxOpenedData(ContinuousStream Data, IReadOnlyList<KeyValuePair<string, string>> Details);

    private static DigitalLineSet[] ImecSyncLines(ContinuousStream data, SpikeGlxChannelMap map) =>
        map.Channels.Where(c => c.Kind == SpikeGlxChannelKind.ImecSync)
            .Select(c => (DigitalLineSet)new DigitalWordLineSet(
                Printable.Escape($"{c.Name} word (column {c.Column})"),
                data,
                c.Column,
                Enumerable.Range(0, SpikeGlxConstants.WordBits)
                    .Select(bit => (new DigitalLine(bit, bit == SpikeGlxConstants.ImecSyncBit ? "sync input" : ""), bit))))
            .ToArray();

    private static DigitalLineSet[] NidqDigitalLines(SpikeGlxMeta meta, ContinuousStream data, SpikeGlxChannelMap map)
    {
        // Digital lines are numbered over the saved words, 16 per word: [bit15..bit0][bit31..bit16]…
        // Device 1's lines are niXDChans1; device 2's start at bit 8 × niXDBytes1 (Metadata_30.md, niXDBytes1).
        HashSet<int>? acquired = null;
        if (meta.TryGetString(SpikeGlxConstants.NidqDigitalLines1) is { Length: > 0 } lines1)
        {
            acquired = [.. meta.ParseChannelList(SpikeGlxConstants.NidqDigitalLines1, lines1)];
            if (meta.TryGetString(SpikeGlxConstants.NidqDigitalLines2) is { Length: > 0 } lines2)
            {
                int offset = 8 * meta.GetInt(SpikeGlxConstants.NidqDigitalBytes1);
                acquired.UnionWith(meta.ParseChannelList(SpikeGlxConstants.NidqDigitalLines2, lines2).Select(l => l + offset));
            }
        }

        // syncNiChanType 0: the sync pulses arrive on digital bit syncNiChan (Metadata_30.md, Nidq); syncSourceIdx 0: no pulser.
        int? syncLine = meta.TryGetInt(SpikeGlxConstants.NidqSyncChannelType) == 0 && (meta.TryGetInt(SpikeGlxConstants.SyncSourceIndex) ?? 1) != 0
            ? meta.TryGetInt(SpikeGlxConstants.NidqSyncChannel)
            : null;
        var sets = new List<DigitalLineSet>();
        int word = 0;
        foreach (SpikeGlxChannel c in map.Channels.Where(c => c.Kind == SpikeGlxChannelKind.NidqDigital))
        {
            int first = word * SpikeGlxConstants.WordBits;
            var lines = Enumerable.Range(0, SpikeGlxConstants.WordBits)
                .Where(bit => acquired is null || acquired.Contains(first + bit))
                .Select(bit => (new DigitalLine(first + bit, first + bit == syncLine ? "sync" : ""), bit))
                .ToArray();
            if (lines.Length > 0)
            {
                sets.Add(new DigitalWordLineSet(Printable.Escape($"{c.Name} word (column {c.Column})"), data, c.Column, lines));
            }

            word++;
        }

        return sets.ToArray();
    }

    private static string DescribeStream(SpikeGlxMeta meta, SpikeGlxChannelMap map)
    {
        if (meta.StreamType != SpikeGlxConstants.TypeImec)
        {
            return $"nidq ({meta.TryGetString("niDev1ProductName") ?? "NI-DAQ"})";
        }

        string probe = map.ProbeType switch
        {
            null => "phase 3A/3B1 (no imDatPrb_type)",
            int t when SpikeGlxConstants.Np1ImroProbeTypes.Contains(t) => $"probe type {t} (NP 1.0 family: per-channel gains in ~imroTbl)",
            int t => $"probe type {t} (NP 2.0 family)",
        };
        string band = map.Channels.Any(c => c.Kind == SpikeGlxChannelKind.ImecAp) ? "AP band"
            : map.Channels.Any(c => c.Kind == SpikeGlxChannelKind.ImecLf) ? "LF band"
            : "sync only";
        return $"imec, {probe}, {band}";
    }

    private static string DescribeSaved(SpikeGlxMeta meta, SpikeGlxChannelMap map)
    {
        string counts = string.Join(", ", map.Channels.GroupBy(c => c.Kind).Select(g => $"{g.Count()} {KindName(g.Key)}"));
        string subset = meta.TryGetString(SpikeGlxConstants.SaveChannelSubset) is { } s ? $"; {SpikeGlxConstants.SaveChannelSubset}={SpikeGlxMeta.Shorten(s)}" : "";
        return $"{map.Channels.Count} ({counts}){subset}";
    }

    private static IEnumerable<KeyValuePair<string, string>> DescribeGains(SpikeGlxChannelMap map) =>
        map.Channels.GroupBy(c => c.Kind).Select(g =>
        {
            string values = string.Join(
                ", ",
                g.GroupBy(c => (c.GainToMicrovolts, c.AmplifierGain))
                    .Select(v => g.Key is SpikeGlxChannelKind.ImecSync or SpikeGlxChannelKind.NidqDigital
                        ? $"1 (digital word, not a voltage)"
                        : $"{v.Key.GainToMicrovolts:G10} (gain {v.Key.AmplifierGain:R}{(NaturalUnit(g.Key) == ChannelUnits.Volts ? $"; in volts: {v.Key.GainToMicrovolts / 1e6:G10} V per count" : "")})" + (v.Count() == g.Count() ? "" : $" × {v.Count()} channels")));
            return new KeyValuePair<string, string>($"gain to uV ({KindName(g.Key)})", values);
        });

    /// <summary>A channel's natural unit: microvolts for probe channels, volts for NIDQ analog inputs (MN, MA, XA), counts for words.</summary>
    public static string NaturalUnit(SpikeGlxChannelKind kind) => kind switch
    {
        SpikeGlxChannelKind.ImecAp or SpikeGlxChannelKind.ImecLf => ChannelUnits.Microvolts,
        SpikeGlxChannelKind.NidqMn or SpikeGlxChannelKind.NidqMa or SpikeGlxChannelKind.NidqXa => ChannelUnits.Volts,
        _ => ChannelUnits.Counts,
    };

    private static string KindName(SpikeGlxChannelKind kind) => kind switch
    {
        SpikeGlxChannelKind.ImecAp => "AP",
        SpikeGlxChannelKind.ImecLf => "LF",
        SpikeGlxChannelKind.ImecSync => "SY",
        SpikeGlxChannelKind.NidqMn => "MN",
        SpikeGlxChannelKind.NidqMa => "MA",
        SpikeGlxChannelKind.NidqXa => "XA",
        _ => "XD",
    };
}
