using System.Globalization;
using NeuroAlign.Alignment;
using NeuroAlign.Filtering;
using NeuroAlign.Modalities.Ephys;
using NeuroAlign.Streams;
using NeuroAlign.Sync;
using NeuroAlign.Tables;
using NeuroAlign.Time;

namespace NeuroAlign.Sessions;

/// <summary>
/// What an export does with a session: where windows fall, their extent, how each stream is sampled
/// (rate, mode, units, filters) and which of the windows this process writes. Built from settings
/// and checked before any file is opened (<see cref="FromSettings"/>), then applied to the resolved
/// session (<see cref="Streams"/>, <see cref="WindowTimes"/>); a sink writes what the aligner makes.
/// </summary>
public sealed class ExportPlan
{
    private ExportPlan(SettingValues settings, Setting windowSource, double before, double after, FilterSet? filters)
    {
        Settings = settings;
        WindowSource = windowSource;
        BeforeSeconds = before;
        AfterSeconds = after;
        Filters = filters;
    }

    /// <summary>The settings the plan was made from.</summary>
    public SettingValues Settings { get; }

    /// <summary>The one setting that gives the window times (time, times, events, events-from or every).</summary>
    public Setting WindowSource { get; }

    public double BeforeSeconds { get; }

    public double AfterSeconds { get; }

    /// <summary>The filter rules, checked against the loaded modalities; null without any.</summary>
    public FilterSet? Filters { get; }

    /// <summary>The output file.</summary>
    public string OutputPath => Settings.Find(ExportSettings.Out) ?? ExportSettings.DefaultOutput;

    /// <summary>Every existing path the settings name (recordings, events, pulse files, caches), for <see cref="OutputGuard"/>; the output's own setting is left out.</summary>
    public IReadOnlyList<string> InputPaths => OutputGuard.PathsIn(Settings.Given.Where(g => g.Setting != ExportSettings.Out).Select(g => g.Text));

    /// <summary>Whether the user allowed replacing an existing file that is not a NeuroAlign output.</summary>
    public bool Overwrite => Settings.Has(ExportSettings.Overwrite);

    /// <summary>
    /// Checks everything the settings can get wrong before any file is opened: one window source,
    /// a non-empty window, rules that parse and fit the loaded modalities, stream names that exist.
    /// </summary>
    /// <param name="settings">What the user set.</param>
    /// <param name="requests">The streams asked for.</param>
    /// <param name="offered">Every modality the front end offers (its registry), so a filter scope naming one that is not loaded is told apart from an unknown one; the requests' modalities when null.</param>
    public static ExportPlan FromSettings(SettingValues settings, IReadOnlyList<StreamRequest> requests, IReadOnlyList<IModality>? offered = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(requests);
        Setting[] sources = ExportSettings.WindowSources.Where(settings.Has).ToArray();
        if (sources.Length != 1)
        {
            throw new SettingException(sources.Length == 0
                ? $"no window times: give {ExportSettings.Time} SECONDS (or {ExportSettings.Times}, {ExportSettings.Events}, {ExportSettings.EventsFrom}, {ExportSettings.Every})"
                : $"give one source of window times, not {string.Join(" and ", sources.Select(s => s.ToString()))}");
        }

        double before = settings.Get(ExportSettings.Before, 0);
        double after = settings.Get(ExportSettings.After, 1);
        if (before + after <= 0)
        {
            throw new SettingException($"{ExportSettings.Before} and {ExportSettings.After} are both 0: the window is empty");
        }

        if (settings.Has(ExportSettings.EventMinWidth) && !settings.Has(ExportSettings.EventsFrom))
        {
            throw new SettingException($"option {ExportSettings.EventMinWidth} needs {ExportSettings.EventsFrom} STREAM:LINE");
        }

        if (new Setting[] { ExportSettings.EventColumn, ExportSettings.EventColumns, ExportSettings.EventFilter }.FirstOrDefault(settings.Has) is { } eventSetting && !settings.Has(ExportSettings.Events))
        {
            throw new SettingException(eventSetting, $"needs {ExportSettings.Events} FILE");
        }

        if (settings.Find(ExportSettings.EventColumns) is { } labelColumns
            && labelColumns.FirstOrDefault(c => !IsLabelName(c)) is { } badLabel)
        {
            throw new SettingException(ExportSettings.EventColumns, $"column '{badLabel}' cannot be a dataset under /{OutputSchema.WindowsGroup}: {LabelNameRule}");
        }

        if (settings.Find(ExportSettings.EventsFrom) is { } lineEdges)
        {
            var withLines = requests.Where(r => r.Modality.PerSampleSync is null).Select(r => r.Name).ToArray();
            if (!withLines.Contains(lineEdges.Stream))
            {
                throw new SettingException(ExportSettings.EventsFrom.Key, lineEdges.Text, withLines.Length == 0
                    ? $"'{lineEdges.Stream}' is not an ephys stream, and no stream with digital lines is loaded: digital lines are recorded with ephys streams"
                    : $"no ephys stream '{lineEdges.Stream}' is loaded (ephys streams: {string.Join(", ", withLines)})");
            }
        }

        foreach (StreamRequest r in requests.Where(r => r.Modality.Kind == ModalityKind.Video))
        {
            if (settings.PerStream(ExportSettings.Mode).Get(r.Name, r.Modality.Name, IndexMode.Previous) == IndexMode.Linear)
            {
                // Frames are output as decoded (uint8): a grid time picks a frame, never a blend.
                throw new SettingException(ExportSettings.Mode, $"video frames are not interpolated; use previous or nearest for {r.Name} (e.g. ephys=linear,{r.Name}=previous)");
            }
        }

        // Whether the output is an input (by identity, links and all) is OutputGuard's check, made with the recognizer of previous outputs.
        return new ExportPlan(settings, sources[0], before, after, ParseFilters(settings, requests, offered ?? requests.Select(r => r.Modality).Distinct().ToArray()));
    }

    /// <summary>
    /// The filter rules, parsed and checked, before any file is opened, against the scopes the
    /// modalities declare (<see cref="IModality.FilterScope"/>) and the streams requested; null
    /// without any. Names a file's columns supply are checked once it is open (<see cref="Streams"/>).
    /// </summary>
    public static FilterSet? ParseFilters(SettingValues settings, IReadOnlyList<StreamRequest> requests, IReadOnlyList<IModality> offered)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(offered);
        IReadOnlyList<string> rules = settings.All(ExportSettings.Filter);
        if (rules.Count == 0)
        {
            return null;
        }

        var vocabulary = new FilterVocabulary(
            [.. offered.Select(ScopeOf)],
            [.. requests.Select(r => new FilterStream(r.Name, ScopeOf(r.Modality)))]);
        FilterSet set = FilterSet.Parse(rules, vocabulary);
        set.Validate(vocabulary);
        return set;
    }

    /// <summary>A modality's filter scope, which must carry the modality's name (rules write it).</summary>
    private static FilterScope ScopeOf(IModality modality) =>
        modality.FilterScope.Name == modality.Name
            ? modality.FilterScope
            : throw new InvalidOperationException($"the {modality.Name} modality declares the filter scope {modality.FilterScope.Name}; it must be its own name");

    /// <summary>
    /// Every stream of the session on its output grid: downsampled continuous streams get an
    /// anti-aliasing view, microvolt units a float32 view, filters their compiled mask. The views
    /// hold no resources of their own: disposing the session releases everything.
    /// </summary>
    public IReadOnlyList<AlignedStream> Streams(Session session)
    {
        ArgumentNullException.ThrowIfNull(session);
        StreamValues<double> rates = Settings.PerStream(ExportSettings.Rate);
        StreamValues<IndexMode> modes = Settings.PerStream(ExportSettings.Mode);
        EphysUnits units = Settings.Get(EphysSettings.Units, EphysUnits.Counts);
        var aligned = new List<AlignedStream>();
        foreach (SessionStream s in session.Streams)
        {
            bool isReference = ReferenceEquals(s, session.Reference);
            ISampleStream stream = s.Stream;
            double native = stream.Clock.MeanRateHz;
            double given = rates.Get(s.Name, s.Modality.Name, 0);
            if (!double.IsFinite(native) && given == 0)
            {
                string noun = s.Modality.PerSampleSync?.SampleNoun ?? "sample";
                native = double.IsFinite(stream.Clock.EndSeconds)
                    ? 1 / (BeforeSeconds + AfterSeconds) // one timed frame: one grid point per window
                    : throw new SettingException($"{s.Name} ({stream.SourcePath}) is a single {noun} without timing: give its output rate with {ExportSettings.Rate} {s.Name}=HZ");
            }

            // Events (sorted spikes) are binned: the grid's rate is the bin rate, 1 kHz unless given.
            IEventStream? events = stream as IEventStream;
            double rate = given > 0 ? given : events?.DefaultBinRateHz ?? native;
            IndexMode mode = events is null ? modes.Get(s.Name, s.Modality.Name, IndexMode.Previous) : IndexMode.Previous;
            var grid = new SamplingGrid(BeforeSeconds, AfterSeconds, rate);
            bool ephys = s.Modality.Kind == ModalityKind.Ephys;
            ISampleStream sampled = ephys && stream is ContinuousStream counts ? ChannelUnits.View(counts, units) ?? stream : stream;
            if (sampled is ContinuousStream continuous && rate < native)
            {
                ContinuousStream filtered = LowPassStream.ForOutputRate(continuous, rate);
                sampled = filtered;
            }

            var attributes = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                [OutputSchema.ModalityAttribute] = s.Modality.Name,
                [OutputSchema.SourcePathAttribute] = Path.GetFullPath(stream.SourcePath),
                ["format"] = stream.FormatName,
                ["native_rate_hz"] = stream.Clock.MeanRateHz,
                [OutputSchema.OutputRateAttribute] = grid.OutputRateHz,
                ["interpolation"] = events is null ? mode.ToText() : "binned: events of each unit in [grid time, next grid time)",
                ["clock"] = stream.Clock.Describe(),
                ["clock_map"] = s.Map.Describe(),
            };
            if (sampled is LowPassStream lowPass)
            {
                attributes["anti_aliasing"] = $"FIR low-pass, {lowPass.TapCount} taps, pass band to {lowPass.CutoffHz:G6} Hz, applied before sampling at {rate:G6} Hz";
            }

            var description = new StreamOutputDescription();
            s.Modality.DescribeOutput(s, isReference, description);
            foreach (var (key, value) in description.Attributes)
            {
                attributes[key] = value;
            }

            if (stream is ContinuousStream continuousCounts && ephys)
            {
                attributes["units"] = units switch { EphysUnits.Counts => "counts", EphysUnits.Microvolts => "uV", _ => "physical" };

                // Per channel: a NIDQ mixes analog inputs in volts with a digital word in counts.
                description.Datasets["channel_units"] = ChannelUnits.Output(continuousCounts, units);
            }

            Dictionary<string, object>? sync = null;
            Dictionary<string, Array>? syncDatasets = null;
            if (s.Fit is not null)
            {
                sync = session.SyncAttributes(s);
                syncDatasets = Session.SyncDatasets(s);
                attributes["clock_assumption"] = $"{s.Placement}; figures in /{OutputSchema.SyncGroup}/{s.Name}";
            }
            else if (s.Opened.ClockOf is { } clockOf)
            {
                attributes["clock_stream"] = clockOf;

                // The modality may say how its times count on the source's clock (physio: from the run's first volume).
                attributes["clock_assumption"] = description.Attributes.TryGetValue("clock_assumption", out object? how) ? $"{how}; {s.Placement}" : s.Placement;
            }

            var output = new AlignedStream(s.Name, sampled, s.Map, grid, mode, attributes, description.Datasets, syncAttributes: sync, syncDatasets: syncDatasets);

            // The scope of the opened file: physio and table columns become variables here, and rules reading them are checked again.
            var filterStream = new FilterStream(s.Name, s.Modality.FilterScopeOf(s.Stream));
            aligned.Add(Filters is { } filters && filters.AppliesTo(filterStream)
                ? new AlignedStream(s.Name, sampled, s.Map, grid, mode, attributes, description.Datasets, filters.Compile(FilterTarget.ForStream(filterStream, sampled, output.OutputElementType)), sync, syncDatasets)
                : output);
        }

        return aligned;
    }

    /// <summary>
    /// The window times on the reference clock, from the plan's one source, with windows that reach
    /// outside a recording left out when asked (and counted in <paramref name="notes"/>).
    /// </summary>
    public double[] WindowTimes(Session session, IReadOnlyList<AlignedStream> streams, ICollection<string> notes, ISessionLog log) =>
        Windows(session, streams, notes, log).Times;

    /// <summary>
    /// The windows: times on the reference clock from the plan's one source, with the events
    /// table's other columns as per-window labels, and windows that reach outside a recording left
    /// out when asked (their labels with them, so the labels stay beside their windows).
    /// </summary>
    public PlannedWindows Windows(Session session, IReadOnlyList<AlignedStream> streams, ICollection<string> notes, ISessionLog log)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(notes);
        ArgumentNullException.ThrowIfNull(log);
        PlannedWindows windows = WindowSource switch
        {
            _ when WindowSource == ExportSettings.Time => new([Settings.Get(ExportSettings.Time, 0)], []),
            _ when WindowSource == ExportSettings.Times => new(Settings.Find(ExportSettings.Times)!, []),
            _ when WindowSource == ExportSettings.EventsFrom => new(LineEdgeTimes(session, notes), []),
            _ when WindowSource == ExportSettings.Events => EventWindows(log),
            _ => new(GridTimes(streams), []),
        };
        if (!Settings.Has(ExportSettings.DropIncomplete))
        {
            return windows;
        }

        double[] times = windows.Times;
        int[] kept = Enumerable.Range(0, times.Length).Where(w => streams.All(s => Aligner.CountOutside(s, [times[w]]).Samples == 0)).ToArray();
        if (kept.Length == 0)
        {
            throw new NeuroAlignException($"{ExportSettings.DropIncomplete}: all {times.Length} windows reach outside a recording; nothing to export");
        }

        if (kept.Length < times.Length)
        {
            log.Warn($"{ExportSettings.DropIncomplete}: left out {times.Length - kept.Length} of {times.Length} windows that reach outside a recording");
        }

        return windows.Select(kept);
    }

    /// <summary>The regular grid of the every setting, its size checked from the count alone before the times are made.</summary>
    private double[] GridTimes(IReadOnlyList<AlignedStream> streams)
    {
        double start = streams.Max(s => s.Timeline.StartReferenceSeconds);
        double end = streams.Min(s => s.Timeline.EndReferenceSeconds);
        double step = Settings.Get(ExportSettings.Every, double.NaN);
        CheckSize(streams, Alignment.WindowTimes.GridCount(start, end, step, BeforeSeconds, AfterSeconds));
        return Alignment.WindowTimes.Grid(start, end, step, BeforeSeconds, AfterSeconds);
    }

    /// <summary>
    /// Refuses, before anything is read or written, a plan whose aligned data (data, grid and index
    /// datasets, masks; before compression) would exceed the max-output-gb setting (1000 GB by
    /// default), or one of whose windows would not fit one buffer: the message gives the estimate.
    /// </summary>
    public void CheckSize(IReadOnlyList<AlignedStream> streams, long windowCount) => CheckSize(streams, (double)windowCount);

    private void CheckSize(IReadOnlyList<AlignedStream> streams, double windowCount)
    {
        ArgumentNullException.ThrowIfNull(streams);
        double perWindow = 0;
        foreach (AlignedStream s in streams)
        {
            // Per point: the sample's elements, plus timestamps, source_index and source_time (8 bytes each).
            double elements = (double)s.Stream.ElementsPerSample() * s.Grid.PointCount;
            double bytes = (elements * s.OutputElementType.SizeOf()) + (24.0 * s.Grid.PointCount) + (s.Filter is null ? 0 : elements);
            if (elements > Array.MaxLength || bytes > int.MaxValue)
            {
                throw new SettingException(
                    $"one window of {s.Name} would hold {Size(bytes)} ({s.Grid.PointCount} points at {s.Grid.OutputRateHz:G6} Hz × {s.Stream.ElementsPerSample()} values); the most one window may hold is {Size(int.MaxValue)}: lower {ExportSettings.Rate} for {s.Name} or shorten the window");
            }

            perWindow += bytes;
        }

        double total = perWindow * windowCount;
        double limit = Settings.Get(ExportSettings.MaxOutputGb, 1000) * 1e9;
        if (total > limit)
        {
            throw new SettingException(
                $"the export would write {Size(total)} of aligned data before compression ({windowCount:G6} windows × {Size(perWindow)}), more than {ExportSettings.MaxOutputGb} {limit / 1e9:G6}: fewer windows or a lower {ExportSettings.Rate}{(total < 1e21 ? $", or raise {ExportSettings.MaxOutputGb} to {Math.Ceiling(total / 1e9):G} if that is meant" : string.Empty)}");
        }
    }

    private static string Size(double bytes) =>
        !double.IsFinite(bytes) ? "an unbounded amount" : bytes >= 1e12 ? $"{bytes / 1e12:G4} TB" : bytes >= 1e9 ? $"{bytes / 1e9:G4} GB" : bytes >= 1e6 ? $"{bytes / 1e6:G4} MB" : $"{bytes / 1e3:G4} kB";

    /// <summary>The root attributes every export file carries (output contract).</summary>
    public Dictionary<string, object> RootAttributes(Session session, string neuroAlignVersion, string commandLine)
    {
        ArgumentNullException.ThrowIfNull(session);
        var root = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [OutputSchema.SchemaVersionAttribute] = OutputSchema.Version,
            [OutputSchema.NeuroAlignVersionAttribute] = neuroAlignVersion,
            [OutputSchema.CreatedAttribute] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            [OutputSchema.CommandLineAttribute] = commandLine,
            [OutputSchema.ReferenceStreamAttribute] = $"{session.Reference.Name} ({Path.GetFileName(session.Reference.Stream.SourcePath)})",
            [OutputSchema.BeforeAttribute] = BeforeSeconds,
            [OutputSchema.AfterAttribute] = AfterSeconds,
            [OutputSchema.WindowSourceAttribute] = WindowSource.ToString(),
        };
        if (Filters is not null)
        {
            root[OutputSchema.FilterAttribute] = Filters.Text;
        }

        return root;
    }

    private PlannedWindows EventWindows(ISessionLog log)
    {
        string events = Settings.Find(ExportSettings.Events)!;
        Session.RequirePath(events, ExportSettings.Events.Key);
        var warnings = new List<string>();
        string[]? chosen = Settings.Find(ExportSettings.EventColumns);
        TimeColumnValues read = Alignment.WindowTimes.FromEventsFile(
            events,
            Settings.Find(ExportSettings.EventColumn),
            Settings.All(ExportSettings.EventFilter).Select(f => (f.Column, f.Value)).ToArray(),
            chosen,
            allOtherColumns: true,
            warnings);

        // Rows whose time is n/a are left out, as BIDS allows, and said so (issue 17).
        foreach (string warning in warnings)
        {
            log.Warn(warning);
        }

        // Every other column becomes a label unless its name cannot be a dataset beside /windows/time.
        var labels = new List<WindowLabel>();
        foreach (WindowLabel label in read.Labels)
        {
            if (IsLabelName(label.Name))
            {
                labels.Add(label);
            }
            else if (chosen is not null)
            {
                throw new SettingException(ExportSettings.EventColumns, $"column '{label.Name}' of {events} cannot be a dataset under /{OutputSchema.WindowsGroup}: {LabelNameRule}");
            }
            else
            {
                log.Warn($"{events}: column '{label.Name}' is not written as a window label: {LabelNameRule}; choose the columns with {ExportSettings.EventColumns}");
            }
        }

        return new PlannedWindows(read.Seconds, labels);
    }

    private const string LabelNameRule = $"a label's name may not be '{OutputSchema.WindowTime}', '.', empty or contain '/'";

    private static bool IsLabelName(string name) =>
        name.Length > 0 && name != "." && !name.Contains('/', StringComparison.Ordinal) && name != OutputSchema.WindowTime;

    /// <summary>
    /// The chosen edges of a line, each edge's sample at its reference-clock time (the stream's clock
    /// through its map), so a stream tied to the reference by sync gives its corrected times. An
    /// analog channel's edges are its threshold crossings, at their interpolated times. Short pulses
    /// go first (event-min-width), then pulses of other widths (a width rule).
    /// </summary>
    private double[] LineEdgeTimes(Session session, ICollection<string> notes)
    {
        LineEdges spec = Settings.Find(ExportSettings.EventsFrom)!;
        SessionStream owner = session[spec.Stream];
        SampleClock clock;
        DigitalEdges raw;
        Func<long, double> exactPosition = k => k;
        string lineName;
        if (spec.Threshold is { } threshold)
        {
            (ContinuousStream recording, int position) = owner.AnalogChannel(threshold, ExportSettings.EventsFrom.Key, spec.Text);
            AnalogThreshold crossings = AnalogThreshold.Scan(recording, position, threshold.LevelVolts * 1e6, threshold.BandVolts * 1e6);
            clock = recording.Clock;
            raw = crossings.Edges;
            exactPosition = crossings.ExactPosition;
            lineName = $"channel {threshold}";
        }
        else
        {
            DigitalLineSet set = owner.LineSetOf(spec.Line, $"give the event times as a file with {ExportSettings.Events} FILE");
            clock = set.Clock;
            raw = set.GetEdges(spec.Line);
            lineName = $"{set.Name} line {spec.Line}";
        }

        var timeline = new StreamTimeline(clock, owner.Map);
        double OwnSeconds(long sample) => AnalogThreshold.SecondsAt(clock, sample, exactPosition(sample));
        double? minimumWidth = Settings.TryGet(ExportSettings.EventMinWidth, out double w) ? w : null;
        DigitalEdges debounced = minimumWidth is { } width ? raw.Debounce(DigitalEdges.WidthInSamples(width, clock.MeanRateHz)) : raw;
        DigitalEdges edges = spec.Width is { } rule ? rule.Select(debounced, OwnSeconds) : debounced;
        IReadOnlyList<long> samples = Select(edges, spec.Edges);
        string what = spec.Threshold is null ? $"line {spec.Line} of {owner.Name} ({owner.Stream.SourcePath})" : $"{lineName} of {owner.Name} ({owner.Stream.SourcePath})";
        if (samples.Count == 0)
        {
            int glitches = Select(raw, spec.Edges).Count;
            string why = spec.Width is { } widthRule && Select(debounced, spec.Edges).Count > 0
                ? $"no pulse has {widthRule}: {PulseWidthRule.DescribeWidths(debounced, OwnSeconds)}"
                : glitches > 0
                ? $"its {glitches} edge(s) all belong to pulses shorter than {ExportSettings.EventMinWidth} {minimumWidth!.Value.ToString("G6", CultureInfo.InvariantCulture)} s"
                : spec.Threshold is null
                ? $"the line is {(raw.InitialState ? "high" : "low")} throughout its {clock.SampleCount} samples"
                : $"the signal stays {(raw.InitialState ? "above" : "below")} the level throughout its {clock.SampleCount} samples";
            throw new NeuroAlignException(
                $"option {ExportSettings.EventsFrom} {spec.Text}: {what}: no {Noun(spec.Edges)} in {Session.Seconds(timeline.StartReferenceSeconds)}..{Session.Seconds(timeline.EndReferenceSeconds)} s: {why}");
        }

        double[] times = samples.Select(k => owner.Map.ToReference(OwnSeconds(k))).ToArray();
        notes.Add($"window times: the {times.Length} {Noun(spec.Edges)} of {owner.Name} {lineName}{(spec.Width is { } kept ? $" of pulses with {kept}" : "")}, on the reference clock");
        return times;
    }

    private static IReadOnlyList<long> Select(DigitalEdges edges, EdgeKind? which) =>
        which is { } kind ? edges.Samples(kind) : edges.AllEdgeSamples();

    private static string Noun(EdgeKind? which) => which is { } kind ? $"{kind.ToText()} edges" : "rising or falling edges";
}

/// <summary>The windows an export writes: their times on the reference clock and their labels, one value per window each.</summary>
/// <param name="Times">Window times, reference clock, seconds.</param>
/// <param name="Labels">Per-window labels from the events table (/windows/&lt;column&gt;); empty for other window sources.</param>
public sealed record PlannedWindows(double[] Times, IReadOnlyList<WindowLabel> Labels)
{
    /// <summary>The windows at <paramref name="indices"/>, labels with them.</summary>
    public PlannedWindows Select(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return new PlannedWindows([.. indices.Select(i => Times[i])], [.. Labels.Select(l => l.Select(indices))]);
    }

    /// <summary>Windows <paramref name="first"/> .. first + count - 1 (one shard's part), labels with them.</summary>
    public PlannedWindows Slice(int first, int count) =>
        new(Times[first..(first + count)], [.. Labels.Select(l => l.Slice(first, count))]);
}
