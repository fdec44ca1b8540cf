using System.Globalization;
using NeuroAlign.Alignment;
using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Cli.Inputs;
using NeuroAlign.Cli.ScaleOut;
using NeuroAlign.Filtering;
using NeuroAlign.Formats.Nifti;
using NeuroAlign.Hdf5;
using NeuroAlign.Streams;
using NeuroAlign.Time;
using NeuroAlign.Video;

namespace NeuroAlign.Cli.Commands;

/// <summary>
/// The main job: open each recording, put it on the reference clock, sample the windows and write
/// them to HDF5 (the original tool's command line, extended).
/// </summary>
internal static class ExportCommand
{
    public const string DefaultOutput = "neuro_sync_output.h5";

    public static readonly OptionSpec[] Options =
    [
        new("--ephys", "PATH", "ephys recording: SpikeGLX .bin (with its .meta), Open Ephys folder or structure.oebin, .npy, or raw .dat/.bin (see --ephys-*); repeat for more streams (probes, NIDQ): the first is the reference, the others are aligned by shared sync pulses and exported as ephys_1, ephys_2…", Repeatable: true),
        new("--units", "UNITS", "ephys data as counts (raw values, default) or uV (float32 microvolts: counts × gain_to_uV)"),
        new("--video", "PATH", "behaviour video (any format ffmpeg reads)"),
        new("--fmri", "PATH", "fMRI run: NIfTI .nii/.nii.gz with BIDS sidecar"),
        new("--time", "SECONDS", "one window at this time on the reference clock (seconds after the reference recording starts)"),
        new("--times", "T1,T2,...", "windows at these times"),
        new("--events", "FILE", "windows at event times: BIDS events.tsv (onset column), CSV with a header, or one time per line"),
        new("--event-column", "NAME", "--events: the column holding the times (default onset, else the first)"),
        new("--event-filter", "COL=VALUE", "--events: keep rows whose column equals the value, e.g. trial_type=go (repeatable)", Repeatable: true),
        .. EventLineInput.Options,
        new("--every", "SECONDS", "windows on a regular grid over the interval every stream covers"),
        new("--before", "SECONDS", "window starts this long before its time (default 0)"),
        new("--after", "SECONDS", "window ends this long after its time (default 1)"),
        new("--rate", "M=HZ,...", "output rate per modality, e.g. ephys=1000,video=30 (default: native; downsampled ephys is low-pass filtered first)"),
        new("--mode", "MODE", "how grid times pick samples: previous (default), nearest or linear; or per modality: ephys=linear,video=previous"),
        new("--drop-incomplete", null, "leave out windows that reach outside any recording"),
        new("--filter", "RULE", "keep-or-drop rule, e.g. \"signal > 0.8\" (repeatable, combined with AND)", Repeatable: true),
        new("--out", "PATH", $"output HDF5 file (default {DefaultOutput})"),
        new("--compression", "KIND", "gzip (default, with byte shuffle) or none"),
        new("--level", "N", "gzip level 0 (store) to 9 (smallest, slowest), default 1; chunks are compressed on every core"),
        .. EphysInput.Options,
        .. VideoInput.Options,
        .. FmriInput.Options,
        .. SyncInput.Options,
        .. ExportSharding.Options,
    ];

    /// <summary>The options that give window times: exactly one per export (batch lets a manifest row's replace the common one).</summary>
    public static readonly string[] WindowSources = ["--time", "--times", "--events", EventLineInput.Option, "--every"];

    public static int Run(ParsedArgs args, CliContext context)
    {
        if (args.Positionals.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positionals[0]}'; inputs are given with --ephys, --video, --fmri");
        }

        // Everything the command line can get wrong is checked before any file is opened.
        IReadOnlyList<string> ephysPaths = args.GetAll("--ephys");
        string? videoPath = args.Get("--video");
        string? fmriPath = args.Get("--fmri");
        if (!SessionInputs.HasInput(args))
        {
            throw new UsageException("no input: give --ephys PATH, --video PATH and/or --fmri PATH (see --help)");
        }

        if (videoPath is null && VideoInput.Options.FirstOrDefault(o => args.Has(o.Name)) is { } videoOption)
        {
            throw new UsageException($"option {videoOption.Name} needs --video PATH");
        }

        // Rules are parsed and checked against the loaded modalities before any file is opened.
        FilterSet? filters = ParseFilters(args, LoadedKinds(args));

        string[] sources = WindowSources.Where(args.Has).ToArray();
        if (sources.Length != 1)
        {
            throw new UsageException(sources.Length == 0
                ? "no window times: give --time SECONDS (or --times, --events, --events-from, --every)"
                : $"give one source of window times, not {string.Join(" and ", sources)}");
        }

        double before = args.GetDouble("--before", 0, allowNegative: false);
        double after = args.GetDouble("--after", 1, allowNegative: false);
        if (before + after <= 0)
        {
            throw new UsageException("--before and --after are both 0: the window is empty");
        }

        double[]? typedTimes = args.Get("--time") is { } one ? [ParsedArgs.ParseSeconds("--time", one)]
            : args.Get("--times") is { } list ? ParseTimes(list)
            : null;
        var rates = PerModality.ParseRates(args.Get("--rate"));
        var modes = PerModality.ParseModes(args.Get("--mode"));
        Hdf5SinkOptions sinkOptions = SinkOptions(args);
        ExportSharding.CheckOptions(args);
        string output = args.Get("--out") ?? DefaultOutput;
        Hdf5Sink.CheckOutputPath(output);
        RefuseOverwritingInput(output, [.. ephysPaths, videoPath, fmriPath, args.Get("--video-timestamps"), args.Get("--events"), args.Get("--fmri-sidecar")]);
        SessionInputs.CheckOptions(args);
        EventLineInput.CheckOptions(args, ephysPaths.Count);
        if (ephysPaths.Count > 0)
        {
            _ = EphysInput.RawOptions(args);
        }

        if (videoPath is not null)
        {
            _ = VideoInput.ParseOptions(args);
            if (modes.Get("video", IndexMode.Previous) == IndexMode.Linear)
            {
                // /video/data holds frames as decoded (uint8): a grid time picks a frame, never a blend.
                throw new UsageException("option --mode: video frames are not interpolated; use previous or nearest for video (e.g. --mode ephys=linear,video=previous)");
            }
        }

        FmriInput.CheckOptions(args);

        bool microvolts = EphysInput.Microvolts(args);
        var opened = new List<ISampleStream>();
        try
        {
            // The reference clock's zero is the reference stream's first sample (ARCHITECTURE.md):
            // the first ephys recording's, else the video's, else the fMRI run's. Every clock fit
            // happens here, before the sink begins: its figures are written with the file's attributes.
            List<SessionStream> named = SessionInputs.Open(args, context, opened, rates);
            var notes = named.Where(n => n.Fit is null && !ReferenceEquals(n, named[0])).Select(n => $"{n.Name}: {n.Placement}").ToList();
            rates.CheckNames(named.Select(n => n.Name), "--rate");
            modes.CheckNames(named.Select(n => n.Name), "--mode");
            var streams = named.Select((n, i) => WithFilter(Align(n, named[0].Name, before, after, rates, modes, microvolts, opened, isReference: i == 0), filters)).ToList();

            double[] times = typedTimes ?? TimesFromSource(args, named, streams, before, after, notes);
            times = DropIncomplete(args, streams, times, context);
            if (ExportSharding.HandOff(args, output, times.Length, context) is int handedOff)
            {
                return handedOff;
            }

            var root = new Dictionary<string, object>
            {
                ["schema_version"] = 1L,
                ["neuroalign_version"] = Program.Version,
                ["created_utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                ["command_line"] = context.CommandLine,
                ["reference_stream"] = $"{named[0].Name} ({Path.GetFileName(named[0].Stream.SourcePath)})",
                ["before_s"] = before,
                ["after_s"] = after,
                ["window_source"] = sources[0],
            };
            if (filters is not null)
            {
                root["filter"] = filters.Text;
            }

            times = ExportSharding.Select(args, times, root, sinkOptions);

            var progress = new ProgressReporter(context.Error, context.IsTerminal);
            AlignmentSummary summary;
            try
            {
                using var sink = new Hdf5Sink(output, sinkOptions);
                summary = Aligner.Run(streams, times, sink, root, progress, context.Cancellation);
            }
            finally
            {
                progress.Finish();
            }

            Report(summary, streams, output, context);
            foreach (SessionStream n in named.Where(n => n.Fit is not null))
            {
                context.Out.WriteLine($"  {SyncCommand.Summary(n.Name, n.Fit!)}");
            }

            foreach (string note in notes)
            {
                context.Out.WriteLine($"  note: {note}");
            }

            return 0;
        }
        finally
        {
            foreach (ISampleStream s in opened)
            {
                s.Dispose();
            }
        }
    }

    /// <summary>Attributes of a modality's group: where the samples came from and how they were chosen.</summary>
    public static Dictionary<string, object> ModalityAttributes(ISampleStream stream, ClockMap map, SamplingGrid grid, IndexMode mode) => new()
    {
        ["source_path"] = Path.GetFullPath(stream.SourcePath),
        ["format"] = stream.FormatName,
        ["native_rate_hz"] = stream.Clock.MeanRateHz,
        ["output_rate_hz"] = grid.OutputRateHz,
        ["interpolation"] = mode.ToText(),
        ["clock"] = stream.Clock.Describe(),
        ["clock_map"] = map.Describe(),
    };

    /// <summary>
    /// One modality on its output grid; downsampled continuous streams get an anti-aliasing view;
    /// with --units uV, continuous streams are read through a float32 microvolt view (before filtering).
    /// </summary>
    private static AlignedStream Align(
        SessionStream session,
        string referenceName,
        double before,
        double after,
        PerModality<double?> rates,
        PerModality<IndexMode> modes,
        bool microvolts,
        List<ISampleStream> opened,
        bool isReference)
    {
        (string name, ISampleStream stream, ClockMap map) = (session.Name, session.Stream, session.Map);
        double native = stream.Clock.MeanRateHz;
        IndexMode mode = modes.Get(name, IndexMode.Previous);
        if (stream is VideoStream { FrameCount: < 2 })
        {
            // One frame has no measured rate: one grid point per window.
            native = 1 / (before + after);
        }

        double rate = rates.Get(name, null) ?? native;
        var grid = new SamplingGrid(before, after, rate);

        // The microvolt view owns nothing: the counts stream stays in `opened` and is disposed there.
        ISampleStream sampled = microvolts && stream is ContinuousStream counts ? new MicrovoltStream(counts) : stream;
        if (sampled is ContinuousStream continuous && rate < native)
        {
            ContinuousStream filtered = LowPassStream.ForOutputRate(continuous, rate);
            if (!ReferenceEquals(filtered, continuous))
            {
                // The view owns the source now; it replaces it in the list of things to dispose.
                opened.Remove(continuous);
                opened.Add(filtered);
                sampled = filtered;
            }
        }

        Dictionary<string, object> attributes = ModalityAttributes(stream, map, grid, mode);
        if (sampled is LowPassStream lowPass)
        {
            attributes["anti_aliasing"] = $"FIR low-pass, {lowPass.TapCount} taps, pass band to {lowPass.CutoffHz:G6} Hz, applied before sampling at {rate:G6} Hz";
        }

        if (stream is VideoStream video)
        {
            foreach (var (key, value) in VideoInput.Attributes(video))
            {
                attributes[key] = value;
            }
        }

        var extra = new Dictionary<string, Array>();
        if (stream is ContinuousStream ephys)
        {
            // Always the metadata's counts → µV factors; with --units uV the data are already scaled by them.
            extra["gain_to_uV"] = ephys.GainsToMicrovolts.ToArray();
            extra["channel_ids"] = ephys.ChannelIds.ToArray();
            attributes["units"] = microvolts ? "uV" : "counts";
        }

        if (stream is NiftiStream fmri)
        {
            FmriInput.Describe(fmri, isReference, attributes, extra);
        }

        Dictionary<string, object>? sync = null;
        if (session.Fit is { } fit)
        {
            sync = SyncInput.Attributes(fit, referenceName);
            attributes["clock_assumption"] = $"{session.Placement}; figures in /sync/{name}";
        }

        return new AlignedStream(name, sampled, map, grid, mode, attributes, extra, syncAttributes: sync);
    }

    /// <summary>The --filter rules, parsed and checked for the modalities the command loads; null without --filter.</summary>
    public static FilterSet? ParseFilters(ParsedArgs args, IReadOnlyCollection<ModalityKind> loaded)
    {
        IReadOnlyList<string> rules = args.GetAll("--filter");
        if (rules.Count == 0)
        {
            return null;
        }

        try
        {
            FilterSet set = FilterSet.Parse(rules);
            set.Validate(loaded);
            return set;
        }
        catch (FilterSyntaxException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>The kinds of modality the command line loads, known before any file is opened.</summary>
    private static List<ModalityKind> LoadedKinds(ParsedArgs args)
    {
        var kinds = new List<ModalityKind>();
        foreach (var (option, kind) in new[] { ("--ephys", ModalityKind.Ephys), ("--video", ModalityKind.Video), ("--fmri", ModalityKind.Fmri) })
        {
            if (args.Has(option))
            {
                kinds.Add(kind);
            }
        }

        return kinds;
    }

    /// <summary>The modality kind a group name stands for: ephys, ephys_1… are ephys.</summary>
    public static ModalityKind KindOf(string modality) =>
        modality.StartsWith("ephys", StringComparison.Ordinal) ? ModalityKind.Ephys
        : modality.StartsWith("fmri", StringComparison.Ordinal) ? ModalityKind.Fmri
        : modality.StartsWith("video", StringComparison.Ordinal) ? ModalityKind.Video
        : throw new ArgumentException($"no modality kind for '{modality}'", nameof(modality));

    /// <summary>The stream with the rules that apply to it compiled for what it outputs (and so with a mask), or as it is.</summary>
    private static AlignedStream WithFilter(AlignedStream s, FilterSet? filters)
    {
        ModalityKind kind = KindOf(s.Name);
        if (filters is null || !filters.AppliesTo(kind))
        {
            return s;
        }

        CompiledFilter filter = filters.Compile(FilterTarget.ForStream(kind, s.Stream, s.OutputElementType));
        return new AlignedStream(s.Name, s.Stream, s.Timeline.Map, s.Grid, s.Mode, s.Attributes, s.ExtraDatasets, filter, s.SyncAttributes);
    }

    private static double[] ParseTimes(string text)
    {
        try
        {
            return WindowTimes.ParseList(text);
        }
        catch (NeuroAlignException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static double[] TimesFromSource(ParsedArgs args, IReadOnlyList<SessionStream> session, IReadOnlyList<AlignedStream> streams, double before, double after, List<string> notes)
    {
        if (args.Has(EventLineInput.Option))
        {
            // Edge samples on the reference clock through the stream's map: as --events times, they
            // then go through --drop-incomplete and the shard split like any other source.
            (double[] edges, string description) = EventLineInput.Times(args, session);
            notes.Insert(0, description);
            return edges;
        }

        if (args.Get("--events") is { } events)
        {
            EphysInput.RequireFile(events, "--events");
            var filters = args.GetAll("--event-filter").Select(WindowTimes.ParseRowFilter).ToArray();
            return WindowTimes.FromTextFile(events, args.Get("--event-column"), filters);
        }

        double step = args.GetDouble("--every", double.NaN, allowNegative: false);
        double start = streams.Max(s => s.Timeline.StartReferenceSeconds);
        double end = streams.Min(s => s.Timeline.EndReferenceSeconds);
        return WindowTimes.Grid(start, end, step, before, after);
    }

    private static double[] DropIncomplete(ParsedArgs args, IReadOnlyList<AlignedStream> streams, double[] times, CliContext context)
    {
        if (!args.Has("--drop-incomplete"))
        {
            return times;
        }

        double[] kept = times.Where(t => streams.All(s => Aligner.CountOutside(s, [t]).Samples == 0)).ToArray();
        if (kept.Length == 0)
        {
            throw new NeuroAlignException($"--drop-incomplete: all {times.Length} windows reach outside a recording; nothing to export");
        }

        if (kept.Length < times.Length)
        {
            context.Warn($"--drop-incomplete: left out {times.Length - kept.Length} of {times.Length} windows that reach outside a recording");
        }

        return kept;
    }

    /// <summary>--compression CODEC and --level N as the sink's options (also used by merge); a bad value is a usage error.</summary>
    internal static Hdf5SinkOptions SinkOptions(ParsedArgs args)
    {
        try
        {
            CompressionCodec codec = CompressionCodecs.Parse(args.Get("--compression") ?? "gzip");
            int? level = args.Has("--level") ? args.GetInt("--level", 1, int.MinValue) : null;
            var options = new Hdf5SinkOptions(codec, level);
            options.Validate();
            return options;
        }
        catch (NeuroAlignException e)
        {
            throw new UsageException($"option {(e.Message.StartsWith("compression level", StringComparison.Ordinal) ? "--level" : "--compression")}: {e.Message}");
        }
    }

    private static void Report(AlignmentSummary summary, IReadOnlyList<AlignedStream> streams, string output, CliContext context)
    {
        long fileBytes = new FileInfo(output).Length;
        double seconds = Math.Max(summary.Elapsed.TotalSeconds, 1e-9);
        context.Out.WriteLine(
            $"wrote {output}: {summary.WindowCount} window(s), {summary.BytesWritten / 1e6:F1} MB of aligned data ({fileBytes / 1e6:F1} MB on disk) in {summary.Elapsed.TotalSeconds:F2} s, {summary.BytesWritten / 1e6 / seconds:F0} MB/s");
        for (int m = 0; m < streams.Count; m++)
        {
            AlignedStream s = streams[m];
            ModalitySummary ms = summary.Modalities[m];
            string shape = string.Join(" × ", s.Stream.SampleShape);
            context.Out.WriteLine(
                $"  {s.Name}: {ms.PointsPerWindow} samples per window at {s.Grid.OutputRateHz:G} Hz, each {shape} {s.OutputElementType.ToText()} ({s.Stream.FormatName}: {s.Stream.SourcePath})");
            if (ms.KeptFraction is { } kept)
            {
                context.Out.WriteLine($"  {s.Name}: filter {s.Filter!.RuleText} keeps {kept:P2} of the values (mask in /{s.Name}/mask, per-window fractions in /{s.Name}/kept_fraction)");
            }

            if (ms.SamplesOutside > 0)
            {
                long total = (long)ms.PointsPerWindow * summary.WindowCount;
                context.Warn(
                    $"{s.Name}: {ms.SamplesOutside} of {total} samples in {ms.WindowsIncomplete} window(s) fell outside the recording ({s.Timeline.StartReferenceSeconds:G6} s to {s.Timeline.EndReferenceSeconds:G6} s on the reference clock); their source_index is -1 and their data zero");
            }
        }
    }

    /// <summary>Nothing the user had is ever lost: the output may not replace an input.</summary>
    private static void RefuseOverwritingInput(string output, IEnumerable<string?> inputs)
    {
        string full = Path.GetFullPath(output);
        foreach (string input in inputs.OfType<string>())
        {
            if (string.Equals(Path.GetFullPath(input), full, StringComparison.Ordinal))
            {
                throw new UsageException($"--out {output} is also an input; choose another output file");
            }
        }
    }
}
