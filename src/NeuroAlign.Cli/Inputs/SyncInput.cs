using System.Globalization;
using System.Text.RegularExpressions;
using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Formats.OpenEphys;
using NeuroAlign.Formats.SpikeGlx;
using NeuroAlign.Sync;
using NeuroAlign.Time;

namespace NeuroAlign.Cli.Inputs;

/// <summary>
/// The clock options (issue 7): shared sync pulses between ephys streams, strobes and scanner
/// triggers, fixed offsets. Turns them into each stream's map to the reference clock, with the
/// fit's figures, before anything is written.
/// </summary>
internal static partial class SyncInput
{
    /// <summary>Open Ephys TTL line 1: where the Neuropixels sync input shows in the GUI's event streams.</summary>
    public const int DefaultOpenEphysSyncLine = 1;

    public static readonly OptionSpec[] Options =
    [
        new("--sync-line", "LINE", "shared sync pulses on the ephys streams: a line number, a FILE of pulse times (own clock), or per stream: ephys=6,ephys_1=0 (default: SpikeGLX imec SY bit 6; NIDQ the .meta's syncNiChan; Open Ephys TTL line 1)"),
        new("--nidq-sync-line", "N", "the NIDQ digital line carrying the sync pulses when the .meta does not name it (syncNiChanType=0, syncNiChan)"),
        new("--sync-edge", "EDGE", "which edges are pulses: rising (default) or falling"),
        new("--sync-min-width", "SECONDS", "drop glitches (high or low) shorter than this (default: 2 samples of the line's stream)"),
        new("--video-sync", "STREAM:LINE", "camera strobe, one pulse per frame, on a line of an ephys stream (e.g. ephys:1, ephys_1:3), or a FILE of pulse times on the reference clock"),
        new("--video-led", "STREAM:LINE", "an LED in view, driven by pulses also recorded on an ephys line (e.g. ephys_1:3) or given as a FILE of times on the reference clock: its pulses in the video's mean intensity tie the video's clock (offset + drift) like shared sync pulses"),
        new("--video-led-roi", "X,Y,W,H", "the LED's region of the frame, pixels (default: the whole frame)"),
        new("--fmri-sync", "STREAM:LINE", "scanner trigger, one pulse per volume (dummy scans included), on an ephys line, or a FILE of pulse times on the reference clock"),
        new("--sync-skip", "M=K,...", "pulses before the first frame/volume, e.g. video=3 (default: from the counts; extra scanner triggers are dummy scans)"),
        new("--allow-count-mismatch", null, "pair frames/volumes with pulses as well as possible when their counts cannot be reconciled"),
        new("--max-drift-ppm", "PPM", "largest clock drift accepted from shared pulses (default 500)"),
        new("--offset", "M=SECONDS,...", "fixed offset by hand instead of sync, e.g. video=0.125: reference = own clock + offset"),
    ];

    /// <summary>A stream's pulses: a line of an ephys stream (by name), or a file.</summary>
    private sealed record PulseSource(string? Stream, int? Line, string? File);

    /// <summary>Everything the command line can get wrong about sync, before any file is opened.</summary>
    public static void CheckOptions(ParsedArgs args, int ephysCount, bool hasVideo, bool hasFmri)
    {
        foreach ((string option, bool present, string input) in new[] { ("--video-sync", hasVideo, "--video"), ("--fmri-sync", hasFmri, "--fmri") })
        {
            if (args.Has(option) && !present)
            {
                throw new UsageException($"option {option} needs {input} PATH");
            }
        }

        if (args.Has("--video-led") && !hasVideo)
        {
            throw new UsageException("option --video-led needs --video PATH");
        }

        if (args.Has("--video-led") && args.Has("--video-sync"))
        {
            throw new UsageException("options --video-led and --video-sync: give one way to place video on the reference clock");
        }

        if (args.Has("--video-led-roi") && !args.Has("--video-led"))
        {
            throw new UsageException("option --video-led-roi needs --video-led STREAM:LINE");
        }

        _ = LedRegion(args);
        _ = EdgeOf(args);
        _ = MinimumWidth(args);
        _ = MaxDriftPpm(args);
        _ = args.GetInt("--nidq-sync-line", 0, 0);
        var loaded = LoadedNames(ephysCount, hasVideo, hasFmri);
        PerModality<double?> offsets = PerModality.ParseSeconds("--offset", args.Get("--offset"));
        if (offsets.All is not null)
        {
            throw new UsageException("option --offset: name the stream, e.g. --offset video=0.125");
        }

        offsets.CheckNames(loaded, "--offset");
        if (offsets.Names.Contains(loaded[0]))
        {
            throw new UsageException($"option --offset: {loaded[0]} is the reference stream; its first sample is time zero");
        }

        foreach ((string name, string option) in new[] { ("video", "--video-sync"), ("video", "--video-led"), ("fmri", "--fmri-sync") })
        {
            if (args.Has(option) && offsets.Names.Contains(name))
            {
                throw new UsageException($"options --offset {name}=… and {option}: give one way to place {name} on the reference clock");
            }
        }

        PerModality<int?> skips = PerModality.ParseCounts("--sync-skip", args.Get("--sync-skip"));
        if (skips.All is not null)
        {
            throw new UsageException("option --sync-skip: name the stream, e.g. --sync-skip video=3");
        }

        skips.CheckNames(loaded, "--sync-skip");
        foreach (string name in skips.Names)
        {
            if (!args.Has($"--{name}-sync"))
            {
                throw new UsageException($"option --sync-skip {name}=…: needs --{name}-sync");
            }
        }

        PerModality<string?> lines = SyncLines(args);
        lines.CheckNames(loaded.Where(n => n.StartsWith("ephys", StringComparison.Ordinal)), "--sync-line");
        if (ephysCount < 2 && args.Has("--sync-line") && !args.Has("--video-sync") && !args.Has("--video-led") && !args.Has("--fmri-sync"))
        {
            throw new UsageException("option --sync-line: shared pulses need a second --ephys stream");
        }

        foreach (string option in new[] { "--video-sync", "--video-led", "--fmri-sync" })
        {
            if (args.Get(option) is { } spec && ParseSource(spec, option) is { Stream: { } stream } && !loaded.Contains(stream))
            {
                throw new UsageException($"option {option} {spec}: no ephys stream '{stream}' is loaded (loaded: {string.Join(", ", loaded.Where(n => n.StartsWith("ephys", StringComparison.Ordinal)))})");
            }
        }
    }

    /// <summary>ephys, ephys_1… then video, fmri: the names streams get in the output.</summary>
    public static string[] LoadedNames(int ephysCount, bool hasVideo, bool hasFmri) =>
        [.. Enumerable.Range(0, ephysCount).Select(EphysName), .. hasVideo ? ["video"] : Array.Empty<string>(), .. hasFmri ? ["fmri"] : Array.Empty<string>()];

    /// <summary>The output name of the i-th --ephys: ephys, ephys_1, ephys_2…</summary>
    public static string EphysName(int i) => i == 0 ? "ephys" : $"ephys_{i}";

    /// <summary>
    /// Ties ephys stream <paramref name="stream"/> (not the reference) to the reference through their
    /// shared pulses, or places it by --offset.
    /// </summary>
    public static ClockFit FitEphys(ParsedArgs args, SessionStream reference, SessionStream stream, ClockMap prior, double priorOffsetSeconds)
    {
        if (PerModality.ParseSeconds("--offset", args.Get("--offset")).Get(stream.Name, null) is { } offset)
        {
            return ClockFit.GivenOffset(stream.Name, prior, offset);
        }

        PulseTrain own = SharedTrain(args, stream);
        PulseTrain referenceTrain = SharedTrain(args, reference);
        PulseTrain onReference = referenceTrain.Map(reference.Map, referenceTrain.Source);
        return SharedPulseSync.Fit(stream.Name, own, onReference, priorOffsetSeconds, MaxDriftPpm(args));
    }

    /// <summary>
    /// Places a video or fMRI stream: by its strobe/trigger pulses (one per frame/volume), by a fixed
    /// offset, or not at all (null: it starts with the reference).
    /// </summary>
    public static ClockFit? FitPerSample(ParsedArgs args, string name, Streams.ISampleStream stream, ClockMap prior, IReadOnlyList<SessionStream> ephys)
    {
        if (PerModality.ParseSeconds("--offset", args.Get("--offset")).Get(name, null) is { } offset)
        {
            return ClockFit.GivenOffset(name, prior, offset);
        }

        if (name == "video" && args.Get("--video-led") is { } led)
        {
            return FitLed(args, stream, prior, ephys, led);
        }

        SampleClock clock = stream.Clock;

        string option = $"--{name}-sync";
        if (args.Get(option) is not { } spec)
        {
            return null;
        }

        PulseTrain pulses = ReferencePulses(args, spec, option, ephys);

        bool fmri = name == "fmri";
        var options = new StrobeOptions
        {
            Name = name,
            SampleNoun = fmri ? "volume" : "frame",
            Method = fmri ? "trigger" : "strobe",
            SkipLeadingPulses = PerModality.ParseCounts("--sync-skip", args.Get("--sync-skip")).Get(name, null),
            ExtraPulsesLead = fmri,
            AllowCountMismatch = args.Has("--allow-count-mismatch"),
        };
        return StrobeSync.Reconcile(pulses, clock, options);
    }

    /// <summary>
    /// Ties the video's own clock to the reference through an LED in view: its pulses in the frames'
    /// mean intensity matched against its drive pulses (an ephys line or a file on the reference
    /// clock), fitted as shared pulses are (offset + drift, same checks); method "led".
    /// </summary>
    private static ClockFit FitLed(ParsedArgs args, Streams.ISampleStream video, ClockMap prior, IReadOnlyList<SessionStream> ephys, string spec)
    {
        PulseTrain drive = ReferencePulses(args, spec, "--video-led", ephys);
        PulseTrain seen = LedPulses.Detect(video, new LedPulseOptions { Region = LedRegion(args), Edge = EdgeOf(args) }, "video");
        ClockFit fit = SharedPulseSync.Fit("video", seen, drive, prior.ToReference(0), MaxDriftPpm(args));
        return fit with { Method = "led" };
    }

    /// <summary>Pulses on the reference clock: a line of an ephys stream mapped through its fit, or a file of reference times.</summary>
    private static PulseTrain ReferencePulses(ParsedArgs args, string spec, string option, IReadOnlyList<SessionStream> ephys)
    {
        PulseSource source = ParseSource(spec, option);
        if (source.File is { } file)
        {
            EphysInput.RequireFile(file, option);
            return PulseTrain.FromFile(file, MinimumWidth(args) ?? 0);
        }

        SessionStream owner = ephys.First(e => e.Name == source.Stream);
        PulseTrain own = LineTrain(args, owner, source.Line!.Value);
        return own.Map(owner.Map, own.Source);
    }

    private static FrameRegion? LedRegion(ParsedArgs args)
    {
        try
        {
            return args.Get("--video-led-roi") is { } text ? FrameRegion.Parse(text) : null;
        }
        catch (NeuroAlignException e)
        {
            throw new UsageException($"option --video-led-roi: {e.Message}");
        }
    }

    /// <summary>The /sync/&lt;m&gt; attributes: the fit's figures and what it was fitted to.</summary>
    public static Dictionary<string, object> Attributes(ClockFit fit, string referenceName)
    {
        Dictionary<string, object> a = fit.ToAttributes();
        a["reference_stream"] = referenceName;
        return a;
    }

    private static PulseTrain SharedTrain(ParsedArgs args, SessionStream stream)
    {
        string? spec = SyncLines(args).Get(stream.Name, null);
        if (spec is not null && !int.TryParse(spec, NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
        {
            EphysInput.RequireFile(spec, "--sync-line");
            return PulseTrain.FromFile(spec, MinimumWidth(args) ?? 0);
        }

        int line = spec is not null ? int.Parse(spec, CultureInfo.InvariantCulture) : DefaultLine(args, stream);
        return LineTrain(args, stream, line);
    }

    private static PulseTrain LineTrain(ParsedArgs args, SessionStream stream, int line)
    {
        DigitalLineSet set = LineSetOf(stream, line, $"give its pulse times as a file (--sync-line {stream.Name}=FILE) or place it with --offset");
        double minimumWidth = MinimumWidth(args) ?? (2 / set.Clock.MeanRateHz);
        return PulseTrain.FromLine(set, line, EdgeOf(args), minimumWidth, stream.Name);
    }

    /// <summary>
    /// The set of <paramref name="stream"/>'s digital lines holding line number <paramref name="line"/>
    /// (as `info` lists them), or a one-line error naming the stream: it has no digital lines (then
    /// <paramref name="withoutLines"/> says what to do instead), or not that one (the lines it has are listed).
    /// </summary>
    public static DigitalLineSet LineSetOf(SessionStream stream, int line, string withoutLines) =>
        stream.DigitalLines.FirstOrDefault(s => s.Lines.Any(l => l.Number == line))
            ?? throw new NeuroAlignException(stream.DigitalLines.Count == 0
                ? $"{stream.Name} ({stream.Stream.SourcePath}): no digital lines: a {stream.Stream.FormatName} recording carries none; {withoutLines}"
                : $"{stream.Name} ({stream.Stream.SourcePath}): no digital line {line}: {string.Join("; ", stream.DigitalLines.Select(s => s.Describe()))}");

    /// <summary>
    /// The sync line of a recording when none is named: a line its metadata labels as sync (the imec
    /// SY word's bit 6, "sync input"; the NIDQ line syncNiChan, "sync"), else --nidq-sync-line for
    /// SpikeGLX, else TTL line 1 for Open Ephys.
    /// </summary>
    private static int DefaultLine(ParsedArgs args, SessionStream stream)
    {
        var labelled = stream.DigitalLines.SelectMany(s => s.Lines).ToArray();
        if (labelled.FirstOrDefault(l => l.Label == "sync input") is { } imec)
        {
            return imec.Number;
        }

        if (args.Get("--nidq-sync-line") is not null && stream.Stream.FormatName == SpikeGlxReader.FormatName)
        {
            return args.GetInt("--nidq-sync-line", 0, 0);
        }

        if (labelled.FirstOrDefault(l => l.Label == "sync") is { } nidq)
        {
            return nidq.Number;
        }

        if (stream.Stream.FormatName == OpenEphysReader.FormatName && labelled.Any(l => l.Number == DefaultOpenEphysSyncLine))
        {
            return DefaultOpenEphysSyncLine;
        }

        string why = stream.Stream.FormatName == SpikeGlxReader.FormatName
            ? "its .meta names no sync line (syncNiChanType=0 with syncNiChan); give --nidq-sync-line N or --sync-line"
            : labelled.Length == 0
                ? $"a {stream.Stream.FormatName} recording carries no digital lines; give its pulse times with --sync-line {stream.Name}=FILE, or place it with --offset {stream.Name}=SECONDS"
                : $"no line is labelled sync ({string.Join("; ", stream.DigitalLines.Select(s => s.Describe()))}); give --sync-line";
        throw new NeuroAlignException($"{stream.Name} ({stream.Stream.SourcePath}): no sync line: {why}");
    }

    private static PulseSource ParseSource(string spec, string option)
    {
        Match m = StreamLine().Match(spec);
        if (m.Success)
        {
            return new PulseSource(m.Groups[1].Value, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), null);
        }

        if (spec.StartsWith("ephys", StringComparison.Ordinal) && spec.Contains(':', StringComparison.Ordinal) && !File.Exists(spec))
        {
            throw new UsageException($"option {option} {spec}: expected STREAM:LINE (e.g. ephys:1, ephys_1:3) or a file of pulse times");
        }

        return new PulseSource(null, null, spec);
    }

    private static PerModality<string?> SyncLines(ParsedArgs args) => PerModality.ParseNames("--sync-line", args.Get("--sync-line"));

    private static EdgeKind EdgeOf(ParsedArgs args)
    {
        try
        {
            return args.Get("--sync-edge") is { } text ? EdgeKinds.Parse(text) : EdgeKind.Rising;
        }
        catch (NeuroAlignException e)
        {
            throw new UsageException($"option --sync-edge: {e.Message}");
        }
    }

    private static double? MinimumWidth(ParsedArgs args) =>
        args.Get("--sync-min-width") is null ? null : args.GetDouble("--sync-min-width", 0, allowNegative: false);

    private static double MaxDriftPpm(ParsedArgs args)
    {
        double ppm = args.GetDouble("--max-drift-ppm", ClockFitOptions.DefaultMaxDriftPpm, allowNegative: false);
        return ppm > 0 ? ppm : throw new UsageException("option --max-drift-ppm: must be positive");
    }

    [GeneratedRegex(@"^(ephys(?:_[1-9][0-9]*)?):([0-9]+)$")]
    private static partial Regex StreamLine();
}

/// <summary>One opened stream of a session: its output name, its map to the reference, and how that was found.</summary>
/// <param name="Name">ephys, ephys_1, video, fmri.</param>
/// <param name="Stream">The stream.</param>
/// <param name="Map">Own clock → reference clock.</param>
/// <param name="Fit">The sync fit or given offset; null for the reference and unsynchronised streams.</param>
/// <param name="DigitalLines">Lines recorded with an ephys stream (empty otherwise).</param>
/// <param name="Placement">How the stream was put on the reference clock, in words.</param>
internal sealed record SessionStream(
    string Name,
    Streams.ISampleStream Stream,
    ClockMap Map,
    ClockFit? Fit,
    IReadOnlyList<DigitalLineSet> DigitalLines,
    string Placement);
