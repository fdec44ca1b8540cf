using System.Globalization;
using NeuroAlign.Formats;
using NeuroAlign.Streams;
using NeuroAlign.Sync;
using NeuroAlign.Time;

namespace NeuroAlign.Sessions;

/// <summary>
/// A session resolved from its settings: every stream opened, each on the reference clock. The
/// reference clock is the first stream's of the modality that leads (ephys, else video, else fMRI),
/// zero at its first sample. Streams of one acquisition system keep their relative start; others
/// are tied by shared sync pulses, by one pulse per sample (strobes, triggers), by an LED in view,
/// by a given offset, or start together at zero, and say so in <see cref="SessionStream.Placement"/>.
/// Every clock is fitted here, before anything is written (docs/sync.md).
/// </summary>
public sealed class Session : IDisposable
{
    private readonly List<SessionStream> _streams = [];

    private Session()
    {
    }

    /// <summary>The streams in the order they were opened; the first is the reference.</summary>
    public IReadOnlyList<SessionStream> Streams => _streams;

    public SessionStream Reference => _streams[0];

    /// <summary>The stream of this name, or a one-line error listing the loaded names.</summary>
    public SessionStream this[string name] =>
        _streams.FirstOrDefault(s => s.Name == name)
            ?? throw new NeuroAlignException($"no stream '{name}' is loaded (loaded: {string.Join(", ", _streams.Select(s => s.Name))})");

    /// <summary>
    /// Checks what needs no file (names of streams in per-stream settings, contradicting sync
    /// settings, each modality's settings) and throws <see cref="SettingException"/>.
    /// </summary>
    public static void CheckSettings(IReadOnlyList<StreamRequest> requests, SettingValues settings, IEnumerable<Setting> perStreamSettings)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(perStreamSettings);
        if (requests.Count == 0)
        {
            throw new SettingException("no input: give at least one recording (see the help)");
        }

        foreach (IModality modality in requests.Select(r => r.Modality).Distinct())
        {
            modality.CheckSettings(settings, requests.Where(r => r.Modality == modality).ToArray());
        }

        string[] loaded = [.. requests.Select(r => r.Name), .. requests.Select(r => r.Modality.Name).Distinct()];
        foreach (Setting setting in perStreamSettings.Where(s => s.Scope == SettingScope.PerStream && settings.Has(s)))
        {
            foreach (string name in settings.NamesGiven(setting).Where(n => !loaded.Contains(n)))
            {
                throw new SettingException(setting, $"no stream or modality '{name}' is loaded (loaded: {string.Join(", ", requests.Select(r => r.Name))})");
            }
        }

        StreamRequest reference = requests[0];
        StreamValues<double> offsets = settings.PerStream(SyncSettings.Offset);
        if (offsets.HasAll)
        {
            throw new SettingException(SyncSettings.Offset, "name the stream, e.g. video=0.125");
        }

        if (offsets.TryGetNamed(reference.Name, out _))
        {
            throw new SettingException(SyncSettings.Offset, $"{reference.Name} is the reference stream; its first sample is time zero");
        }

        StreamValues<int> skips = settings.PerStream(SyncSettings.SyncSkip);
        if (skips.HasAll)
        {
            throw new SettingException(SyncSettings.SyncSkip, "name the stream, e.g. video=3");
        }

        foreach (StreamRequest r in requests.Where(r => r.Modality.PerSampleSync is not null))
        {
            PerSampleSync sync = r.Modality.PerSampleSync!;
            bool pulses = TryPerStream(settings, sync.Pulses, r, requests, out _);
            bool led = sync.Led is not null && TryPerStream(settings, sync.Led, r, requests, out _);
            bool isReference = ReferenceEquals(r, reference);
            if ((pulses || led) && isReference)
            {
                throw new SettingException(led ? sync.Led! : sync.Pulses, $"without a recording of a leading modality, {r.Name} is the reference clock; there is nothing to tie it to");
            }

            if (pulses && led)
            {
                throw new SettingException($"options {sync.Led} and {sync.Pulses}: give one way to place {r.Name} on the reference clock");
            }

            if ((pulses || led) && offsets.TryGet(r.Name, r.Modality.Name, out _))
            {
                throw new SettingException($"options {SyncSettings.Offset} {r.Name}=… and {(led ? sync.Led : sync.Pulses)}: give one way to place {r.Name} on the reference clock");
            }

            if (skips.TryGet(r.Name, r.Modality.Name, out _) && !pulses)
            {
                throw new SettingException(SyncSettings.SyncSkip.Key, $"{r.Name}=…", $"needs {sync.Pulses}");
            }

            foreach (Setting<PulseSource> s in new[] { sync.Pulses, sync.Led }.OfType<Setting<PulseSource>>())
            {
                if (TryPerStream(settings, s, r, requests, out PulseSource? source) && source.Stream is { } line
                    && requests.FirstOrDefault(q => q.Name == line) is not { Modality.PerSampleSync: null })
                {
                    var withLines = requests.Where(q => q.Modality.PerSampleSync is null).Select(q => q.Name).ToArray();
                    throw new SettingException(s.Key, source.ToString(), $"no ephys stream '{line}' is loaded (loaded: {(withLines.Length == 0 ? "none" : string.Join(", ", withLines))})");
                }
            }

            if (sync.LedRegion is { } region && settings.PerStream(region).TryGet(r.Name, r.Modality.Name, out _) && !led)
            {
                throw new SettingException(region, $"needs {sync.Led}");
            }
        }

        StreamValues<LineOrFile> lines = settings.PerStream(SyncSettings.SyncLine);
        if (!lines.IsEmpty && requests.Count(r => r.Modality.PerSampleSync is null) < 2
            && !requests.Any(r => r.Modality.PerSampleSync is { } s && (settings.Has(s.Pulses) || (s.Led is not null && settings.Has(s.Led)))))
        {
            throw new SettingException(SyncSettings.SyncLine, "shared pulses need a second recording with digital lines");
        }
    }

    /// <summary>Opens every stream and fits the clocks. On failure, what was opened is disposed.</summary>
    public static Session Open(IReadOnlyList<StreamRequest> requests, SettingValues settings, ISessionLog log)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(log);
        var session = new Session();
        try
        {
            foreach (StreamRequest request in requests)
            {
                RequirePath(request.Path, request.Modality.Name);
                OpenedStream opened = request.Modality.Open(request, settings, log, session._streams);
                try
                {
                    if (opened.Stream.Clock.SampleCount == 0)
                    {
                        throw new NeuroAlignException($"{request.Path}: the recording holds no samples");
                    }

                    session._streams.Add(session.Place(request, opened, settings, requests));
                }
                catch
                {
                    if (!session._streams.Any(s => ReferenceEquals(s.Opened, opened)))
                    {
                        opened.Stream.Dispose();
                    }

                    throw;
                }
            }

            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Disposes every stream.</summary>
    public void Dispose()
    {
        foreach (SessionStream s in _streams)
        {
            s.Stream.Dispose();
        }

        _streams.Clear();
    }

    /// <summary>A file or folder a setting names must exist; a one-line error says which part is missing.</summary>
    public static void RequirePath(string path, string key) => RequireFile(path, Setting.Display(key), key);

    /// <summary>
    /// As <see cref="RequirePath"/> for a path a command takes without an option (<c>info FILE</c>):
    /// the message starts with <paramref name="command"/>, not an option it does not have.
    /// </summary>
    public static void RequireArgument(string path, string command) => RequireFile(path, command, key: null);

    private static void RequireFile(string path, string label, string? key)
    {
        ArgumentNullException.ThrowIfNull(path);
        path = PathFragment.Split(path).Path;
        if (Directory.Exists(path) || File.Exists(path))
        {
            return;
        }

        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            // Path.GetFullPath refuses these with ArgumentException: they name no file at all.
            string notPath = $"'{Printable.Escape(path)}' is not a path";
            throw key is null ? new NeuroAlignException($"{label}: {notPath}") : new SettingException(key, notPath);
        }

        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        string why = folder != null && !Directory.Exists(folder) ? $"no such folder {folder}" : "no such file";
        throw new NeuroAlignException($"{label} {Printable.Escape(path)}: {why}");
    }

    /// <summary>A per-stream setting naming a file (a sidecar, a cluster file): for each stream it is given for, the file must exist.</summary>
    public static void RequirePaths(SettingValues settings, Setting<string> setting, IEnumerable<StreamRequest> streams)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(setting);
        ArgumentNullException.ThrowIfNull(streams);
        StreamValues<string> values = settings.PerStream(setting);
        foreach (StreamRequest r in streams)
        {
            if (values.TryGet(r.Name, r.Modality.Name, out string? path))
            {
                RequirePath(path, setting.Key);
            }
        }
    }

    /// <summary>A per-sample sync setting for one stream: a value without a name serves the only stream of its modality.</summary>
    private static bool TryPerStream<T>(SettingValues settings, Setting<T> setting, StreamRequest r, IReadOnlyList<StreamRequest> requests, out T value)
        where T : notnull
    {
        StreamValues<T> values = settings.PerStream(setting);
        if (values.TryGetNamed(r.Name, out value) || values.TryGetNamed(r.Modality.Name, out value))
        {
            return true;
        }

        if (!values.HasAll)
        {
            return false;
        }

        var same = requests.Where(q => q.Modality == r.Modality).ToArray();
        if (same.Length > 1)
        {
            throw new SettingException(setting, $"{same.Length} {r.Modality.Name} streams are loaded ({string.Join(", ", same.Select(q => q.Name))}); name the one '{values.All}' is for, e.g. {same[0].Name}={values.All}");
        }

        value = values.All!;
        return true;
    }

    private SessionStream Place(StreamRequest request, OpenedStream opened, SettingValues settings, IReadOnlyList<StreamRequest> requests)
    {
        ClockMap own = ClockMap.Offset(-opened.Stream.Clock.StartSeconds);
        if (opened.TimesOnReferenceClock)
        {
            return new SessionStream(request.Name, request.Modality, opened, ClockMap.Identity, null, _streams.Count == 0
                ? "reference clock: its own times are reference times (zero is not necessarily its first sample)"
                : "its times are on the reference clock, as given");
        }

        if (_streams.Count == 0)
        {
            return new SessionStream(request.Name, request.Modality, opened, own, null, "reference clock: its first sample is time zero");
        }

        if (opened.ClockOf is { } clockOf)
        {
            SessionStream source = this[clockOf];
            return new SessionStream(request.Name, request.Modality, opened, source.Map, null, $"on the clock of {source.Name} ({source.Placement})");
        }

        SessionStream reference = _streams[0];
        var pending = new SessionStream(request.Name, request.Modality, opened, own, null, string.Empty);
        if (request.Modality.PerSampleSync is null && reference.Modality.PerSampleSync is null)
        {
            // Streams of one acquisition system count from the same start (SpikeGLX firstSample,
            // Open Ephys sample numbers): that is where they sit before sync. Others start together.
            ClockMap prior = opened.AcquisitionClock is { } system && system == reference.Opened.AcquisitionClock ? reference.Map : own;
            pending = pending with { Map = prior };
            ClockFit fit = settings.PerStream(SyncSettings.Offset).TryGet(request.Name, request.Modality.Name, out double offset)
                ? ClockFit.GivenOffset(request.Name, prior, offset)
                : SharedPulseSync.Fit(request.Name, SharedTrain(settings, pending), ReferenceTrain(settings, reference), prior.ToReference(0), MaxDriftPpm(settings));
            return pending with { Map = fit.Map, Fit = fit, Placement = Placement(fit) };
        }

        ClockFit? perSample = FitPerSample(settings, pending, requests);
        return perSample is null
            ? pending with { Placement = $"no shared clock or sync with the {reference.Name} recording; both start at reference time 0 (its first sample at 0 s)" }
            : pending with { Map = perSample.Map, Fit = perSample, Placement = Placement(perSample) };
    }

    private ClockFit? FitPerSample(SettingValues settings, SessionStream stream, IReadOnlyList<StreamRequest> requests)
    {
        StreamRequest request = requests.First(r => r.Name == stream.Name);
        if (settings.PerStream(SyncSettings.Offset).TryGet(stream.Name, stream.Modality.Name, out double offset))
        {
            return ClockFit.GivenOffset(stream.Name, stream.Map, offset);
        }

        if (stream.Modality.PerSampleSync is not { } sync)
        {
            return null;
        }

        if (sync.Led is { } ledSetting && TryPerStream(settings, ledSetting, request, requests, out PulseSource? led))
        {
            PulseTrain drive = ReferencePulses(settings, led, ledSetting);
            FrameRegion? region = sync.LedRegion is { } r && settings.PerStream(r).TryGet(stream.Name, stream.Modality.Name, out FrameRegion given) ? given : null;
            PulseTrain seen = LedPulses.Detect(stream.Stream, new LedPulseOptions { Region = region, Edge = Edge(settings) }, stream.Name);
            ClockFit ledFit = SharedPulseSync.Fit(stream.Name, seen, drive, stream.Map.ToReference(0), MaxDriftPpm(settings));
            return ledFit with { Method = "led" };
        }

        if (!TryPerStream(settings, sync.Pulses, request, requests, out PulseSource? source))
        {
            return null;
        }

        var options = new StrobeOptions
        {
            Name = stream.Name,
            SampleNoun = sync.SampleNoun,
            Method = sync.Method,
            SkipLeadingPulses = settings.PerStream(SyncSettings.SyncSkip).TryGet(stream.Name, stream.Modality.Name, out int skip) ? skip : null,
            ExtraPulsesLead = sync.ExtraPulsesLead,
            AllowCountMismatch = settings.Has(SyncSettings.AllowCountMismatch),
        };
        return StrobeSync.Reconcile(ReferencePulses(settings, source, sync.Pulses), stream.Stream.Clock, options);
    }

    /// <summary>Pulses on the reference clock: a line of a loaded stream mapped through its fit, or a file of reference times.</summary>
    private PulseTrain ReferencePulses(SettingValues settings, PulseSource source, Setting setting)
    {
        if (source.File is { } file)
        {
            RequirePath(file, setting.Key);
            return PulseTrain.FromFile(file, settings.Get(SyncSettings.SyncMinWidth, 0));
        }

        SessionStream owner = this[source.Stream!];
        PulseTrain own = LineTrain(settings, owner, source.Line!.Value);
        return own.Map(owner.Map, own.Source);
    }

    private static PulseTrain SharedTrain(SettingValues settings, SessionStream stream)
    {
        if (settings.PerStream(SyncSettings.SyncLine).TryGet(stream.Name, stream.Modality.Name, out LineOrFile given))
        {
            if (given.File is { } file)
            {
                RequirePath(file, SyncSettings.SyncLine.Key);
                return PulseTrain.FromFile(file, settings.Get(SyncSettings.SyncMinWidth, 0));
            }

            if (given.Threshold is { } threshold)
            {
                return AnalogTrain(settings, stream, threshold);
            }

            return LineTrain(settings, stream, given.Line!.Value);
        }

        int line = stream.Opened.DefaultSyncLine
            ?? throw new NeuroAlignException($"{stream.Name} ({stream.Stream.SourcePath}): no sync line: {stream.Opened.NoSyncLineReason ?? $"give {SyncSettings.SyncLine} {stream.Name}=LINE or FILE"}");
        return LineTrain(settings, stream, line);
    }

    private static PulseTrain ReferenceTrain(SettingValues settings, SessionStream reference)
    {
        PulseTrain own = SharedTrain(settings, reference);
        return own.Map(reference.Map, own.Source);
    }

    /// <summary>Sync pulses from an analog channel by threshold (docs/sync.md): each pulse at its interpolated crossing.</summary>
    private static PulseTrain AnalogTrain(SettingValues settings, SessionStream stream, ThresholdSpec threshold)
    {
        (ContinuousStream recording, int position) = stream.AnalogChannel(threshold, SyncSettings.SyncLine.Key, $"{stream.Name}={threshold.Channel}");
        AnalogThreshold crossings = AnalogThreshold.Scan(recording, position, threshold.LevelVolts * 1e6, threshold.BandVolts * 1e6);
        SampleClock clock = recording.Clock;
        double minimumWidth = settings.TryGet(SyncSettings.SyncMinWidth, out double width) ? width : 2 / clock.MeanRateHz;
        EdgeKind kind = Edge(settings);
        IReadOnlyList<long> samples = crossings.Edges.Debounce(DigitalEdges.WidthInSamples(minimumWidth, clock.MeanRateHz)).Samples(kind);
        string source = $"{stream.Name} channel {threshold}, {kind.ToText()} edges";
        if (samples.Count == 0)
        {
            throw new NeuroAlignException($"{source}: no pulses: the signal {(crossings.Edges.Samples(kind).Count > 0 ? $"crosses only in pulses shorter than the minimum width {minimumWidth * 1e3:G4} ms" : $"stays {(crossings.Edges.InitialState ? "above" : "below")} the level throughout its {clock.SampleCount} samples")}");
        }

        return new PulseTrain(source, [.. samples.Select(k => AnalogThreshold.SecondsAt(clock, k, crossings.ExactPosition(k)))], 1 / clock.MeanRateHz);
    }

    private static PulseTrain LineTrain(SettingValues settings, SessionStream stream, int line)
    {
        DigitalLineSet set = stream.LineSetOf(line, $"give its pulse times as a file ({SyncSettings.SyncLine} {stream.Name}=FILE) or place it with {SyncSettings.Offset}");
        double minimumWidth = settings.TryGet(SyncSettings.SyncMinWidth, out double width) ? width : 2 / set.Clock.MeanRateHz;
        return PulseTrain.FromLine(set, line, Edge(settings), minimumWidth, stream.Name);
    }

    private static EdgeKind Edge(SettingValues settings) => settings.Get(SyncSettings.SyncEdge, EdgeKind.Rising);

    private static double MaxDriftPpm(SettingValues settings) => settings.Get(SyncSettings.MaxDriftPpm, ClockFitOptions.DefaultMaxDriftPpm);

    private static string Placement(ClockFit fit) => fit.Method switch
    {
        "offset" => $"fixed offset given by hand ({fit.Source})",
        "strobe" or "trigger" => $"one {fit.Method} pulse per sample ({fit.Source})",
        "led" => $"an LED's pulses seen in the frames ({fit.Source})",
        _ => $"shared sync pulses ({fit.Source})",
    };

    /// <summary>The /sync/&lt;name&gt; attributes: the fit's figures and what it was fitted to.</summary>
    public Dictionary<string, object> SyncAttributes(SessionStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Dictionary<string, object> a = stream.Fit?.ToAttributes() ?? throw new InvalidOperationException($"{stream.Name} was not fitted");
        a["reference_stream"] = Reference.Name;
        return a;
    }

    /// <summary>The /sync/&lt;name&gt; datasets: the fit's pulses and residuals, and its knots (<see cref="ClockFit.ToDatasets"/>).</summary>
    public static Dictionary<string, Array> SyncDatasets(SessionStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream.Fit?.ToDatasets() ?? throw new InvalidOperationException($"{stream.Name} was not fitted");
    }

    internal static string Seconds(double t) => t.ToString("G6", CultureInfo.InvariantCulture);
}
