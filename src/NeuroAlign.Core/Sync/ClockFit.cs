using System.Globalization;
using NeuroAlign.Sessions;
using NeuroAlign.Time;

namespace NeuroAlign.Sync;

/// <summary>
/// A stream's map to the reference clock and how well it is supported: the figures `neuro-align
/// sync` prints and the export writes as /sync/&lt;modality&gt; attributes (ARCHITECTURE.md, output contract).
/// Slope and offset are those of the least-squares line reference = slope · own + offset through the
/// matched pulses, whatever the map's shape; residuals are those of the map itself. For strobes and
/// triggers, whose map passes through every pulse, the line is drawn against each exposure's nominal
/// own time (its slot on the pulse grid × the nominal interval): its drift is the device's rate error,
/// its residuals the pulses' jitter, and dropped frames (counted apart) do not bend it.
/// </summary>
public sealed record ClockFit
{
    /// <param name="name">The modality: ephys_1, video, fmri.</param>
    /// <param name="method">linear, piecewise-linear, strobe, trigger, offset.</param>
    /// <param name="map">Own clock → reference clock.</param>
    /// <param name="slope">Slope of the least-squares line (1 for a fixed offset).</param>
    /// <param name="offsetSeconds">Offset of the least-squares line, seconds.</param>
    /// <param name="residualRmsSeconds">RMS of the matched pulses' residuals from <paramref name="map"/>.</param>
    /// <param name="maxResidualSeconds">Largest absolute residual.</param>
    /// <param name="pulsesMatched">Pulses that tie the two clocks (0 for an offset given by hand).</param>
    public ClockFit(
        string name,
        string method,
        ClockMap map,
        double slope,
        double offsetSeconds,
        double residualRmsSeconds,
        double maxResidualSeconds,
        int pulsesMatched)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(method);
        ArgumentNullException.ThrowIfNull(map);
        Name = name;
        Method = method;
        Map = map;
        Slope = slope;
        OffsetSeconds = offsetSeconds;
        ResidualRmsSeconds = residualRmsSeconds;
        MaxResidualSeconds = maxResidualSeconds;
        PulsesMatched = pulsesMatched;
    }

    /// <summary>The modality the fit belongs to.</summary>
    public string Name { get; }

    /// <summary>linear, piecewise-linear, strobe, trigger, led or offset.</summary>
    public string Method { get; init; }

    /// <summary>Own clock → reference clock.</summary>
    public ClockMap Map { get; }

    /// <summary>reference ≈ Slope · own + OffsetSeconds.</summary>
    public double Slope { get; }

    /// <summary>reference ≈ Slope · own + OffsetSeconds.</summary>
    public double OffsetSeconds { get; }

    /// <summary>
    /// (slope - 1) · 1e6: how many ppm longer one of the stream's seconds is on the reference clock.
    /// Positive when the stream's clock runs slow (a probe 20 ppm slow: +20), as LinearClockMap.DriftPpm.
    /// </summary>
    public double DriftPpm => (Slope - 1) * 1e6;

    /// <summary>RMS residual of the matched pulses from <see cref="Map"/>, seconds.</summary>
    public double ResidualRmsSeconds { get; }

    /// <summary>Largest absolute residual, seconds.</summary>
    public double MaxResidualSeconds { get; }

    /// <summary>Pulses that tie the two clocks.</summary>
    public int PulsesMatched { get; }

    /// <summary>The residual the fit had to stay within, seconds; NaN when none applies.</summary>
    public double ToleranceSeconds { get; init; } = double.NaN;

    /// <summary>What the tolerance is (e.g. "2.5 samples at 25000 Hz").</summary>
    public string? ToleranceText { get; init; }

    /// <summary>Segments of a piecewise-linear map (1 for a line).</summary>
    public int Segments { get; init; } = 1;

    /// <summary>What the pulses were: line and stream on each side.</summary>
    public string? Source { get; init; }

    /// <summary>Strobes: frames (volumes) the camera or scanner skipped, seen as gaps of whole intervals.</summary>
    public int? FramesDropped { get; init; }

    /// <summary>Strobes: pulses before the first frame (dummy scans, or strobes before recording started).</summary>
    public int? LeadingPulsesSkipped { get; init; }

    /// <summary>Strobes: pulses after the last frame.</summary>
    public int? TrailingPulsesIgnored { get; init; }

    /// <summary>Strobes: samples with no pulse of their own, timed from their neighbours' pulses.</summary>
    public int? SamplesWithoutPulse { get; init; }

    /// <summary>Shared pulses: pulses of either train that found no partner inside the other's span.</summary>
    public int? PulsesUnmatched { get; init; }

    /// <summary>Shared pulses: the stream's pulses without a partner, on the reference clock (through <see cref="Map"/>).</summary>
    public IReadOnlyList<double> UnmatchedStreamPulseSeconds { get; init; } = [];

    /// <summary>Shared pulses: the reference's pulses without a partner, on the reference clock.</summary>
    public IReadOnlyList<double> UnmatchedReferencePulseSeconds { get; init; } = [];

    /// <summary>How the coarse offset was found (pattern of intervals, or nearest the streams' common start).</summary>
    public string? OffsetSearch { get; init; }

    /// <summary>The matched pulses and their residuals, for plots (/sync/&lt;m&gt;/pulse_*); null for an offset given by hand.</summary>
    public FitPulses? Pulses { get; init; }

    /// <summary>Things worth knowing that did not stop the fit.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>A fixed offset given by the user: reference = own-clock map + offset.</summary>
    public static ClockFit GivenOffset(string name, ClockMap priorMap, double offsetSeconds)
    {
        ArgumentNullException.ThrowIfNull(priorMap);
        (ClockMap map, double slope, double offset) = priorMap switch
        {
            LinearClockMap { Slope: 1 } l => (ClockMap.Offset(l.OffsetSeconds + offsetSeconds), 1.0, l.OffsetSeconds + offsetSeconds),
            LinearClockMap l => (ClockMap.Linear(l.Slope, l.OffsetSeconds + offsetSeconds), l.Slope, l.OffsetSeconds + offsetSeconds),
            _ => (new ShiftedClockMap(priorMap, offsetSeconds), 1.0, offsetSeconds),
        };
        return new ClockFit(name, "offset", map, slope, offset, 0, 0, 0)
        {
            Source = $"{Sessions.SyncSettings.Offset} {name}={offsetSeconds.ToString("R", CultureInfo.InvariantCulture)}",
        };
    }

    /// <summary>The /sync/&lt;modality&gt; attributes (output contract), plus the counts that apply.</summary>
    public Dictionary<string, object> ToAttributes()
    {
        var a = new Dictionary<string, object>
        {
            [OutputSchema.SyncMethodAttribute] = Method,
            ["slope"] = Slope,
            ["offset_s"] = OffsetSeconds,
            ["residual_rms_s"] = ResidualRmsSeconds,
            [OutputSchema.SyncMaxResidualAttribute] = MaxResidualSeconds,
            [OutputSchema.SyncDriftAttribute] = DriftPpm,
            ["pulses_matched"] = (long)PulsesMatched,
            ["segments"] = (long)Segments,
            ["clock_map"] = Map.Describe(),
        };
        if (double.IsFinite(ToleranceSeconds))
        {
            a["tolerance_s"] = ToleranceSeconds;
        }

        Add(a, "source", Source);
        Add(a, "offset_search", OffsetSearch);
        Add(a, "frames_dropped", FramesDropped);
        Add(a, "leading_pulses_skipped", LeadingPulsesSkipped);
        Add(a, "trailing_pulses_ignored", TrailingPulsesIgnored);
        Add(a, "samples_without_pulse", SamplesWithoutPulse);
        Add(a, "pulses_unmatched", PulsesUnmatched);
        if (Notes.Count > 0)
        {
            a["notes"] = string.Join("; ", Notes);
        }

        return a;
    }

    /// <summary>
    /// The /sync/&lt;modality&gt; datasets: every matched pulse on both clocks with its residual, the
    /// pulses of either train left without a partner (when there are any), and the knots of a piecewise-linear fit (a strobe's map, through every pulse, has no knots of its own).
    /// </summary>
    public Dictionary<string, Array> ToDatasets()
    {
        var d = new Dictionary<string, Array>(StringComparer.Ordinal);
        if (Pulses is { } p)
        {
            d[Sessions.OutputSchema.PulseOwnTime] = p.OwnSeconds;
            d[Sessions.OutputSchema.PulseTime] = p.ReferenceSeconds;
            d[Sessions.OutputSchema.PulseResidual] = p.ResidualSeconds;
        }

        if (UnmatchedStreamPulseSeconds.Count > 0)
        {
            d[Sessions.OutputSchema.UnmatchedStreamPulseTime] = UnmatchedStreamPulseSeconds.ToArray();
        }

        if (UnmatchedReferencePulseSeconds.Count > 0)
        {
            d[Sessions.OutputSchema.UnmatchedReferencePulseTime] = UnmatchedReferencePulseSeconds.ToArray();
        }

        if (Method == "piecewise-linear" && Map is PiecewiseLinearClockMap piecewise)
        {
            d[Sessions.OutputSchema.KnotOwnTime] = piecewise.OwnKnots.ToArray();
            d[Sessions.OutputSchema.KnotTime] = piecewise.ReferenceKnots.ToArray();
        }

        return d;
    }

    /// <summary>One line: method, offset, drift, residuals, pulses, and the counts that apply.</summary>
    public string Describe()
    {
        var parts = new List<string> { Method };
        if (Method != "offset")
        {
            parts.Add($"offset {OffsetSeconds.ToString("F6", CultureInfo.InvariantCulture)} s");
            parts.Add($"drift {DriftPpm.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture)} ppm");
            parts.Add($"residual rms {Micro(ResidualRmsSeconds)} max {Micro(MaxResidualSeconds)}"
                + (double.IsFinite(ToleranceSeconds) ? $" (tolerance {Micro(ToleranceSeconds)}{(ToleranceText is null ? "" : ": " + ToleranceText)})" : ""));
            parts.Add($"{PulsesMatched} pulses matched");
        }
        else
        {
            parts.Add($"reference = own + {OffsetSeconds.ToString("R", CultureInfo.InvariantCulture)} s");
        }

        if (Segments > 1)
        {
            parts.Add($"{Segments} segments");
        }

        if (PulsesUnmatched is { } unmatched)
        {
            parts.Add($"{unmatched} unmatched");
        }

        if (FramesDropped is { } dropped)
        {
            parts.Add($"{dropped} dropped");
        }

        if (LeadingPulsesSkipped is > 0 || TrailingPulsesIgnored is > 0)
        {
            parts.Add($"{LeadingPulsesSkipped ?? 0} leading and {TrailingPulsesIgnored ?? 0} trailing pulses unused");
        }

        if (SamplesWithoutPulse is > 0)
        {
            parts.Add($"{SamplesWithoutPulse} without a pulse (interpolated)");
        }

        return string.Join(", ", parts);
    }

    /// <summary>Seconds as µs or ms, whichever reads better.</summary>
    public static string Micro(double seconds) =>
        Math.Abs(seconds) < 1e-3
            ? $"{(seconds * 1e6).ToString("0.###", CultureInfo.InvariantCulture)} us"
            : $"{(seconds * 1e3).ToString("0.###", CultureInfo.InvariantCulture)} ms";

    private static void Add(Dictionary<string, object> a, string key, string? value)
    {
        if (value != null)
        {
            a[key] = value;
        }
    }

    private static void Add(Dictionary<string, object> a, string key, int? value)
    {
        if (value is { } v)
        {
            a[key] = (long)v;
        }
    }

    /// <summary>Another map followed by a fixed shift.</summary>
    private sealed class ShiftedClockMap(ClockMap inner, double shiftSeconds) : ClockMap
    {
        public override string Method => inner.Method;

        public override double ToReference(double ownSeconds) => inner.ToReference(ownSeconds) + shiftSeconds;

        public override double ToOwn(double referenceSeconds) => inner.ToOwn(referenceSeconds - shiftSeconds);

        public override string Describe() => $"{inner.Describe()}, then + {shiftSeconds.ToString("R", CultureInfo.InvariantCulture)} s";
    }
}
