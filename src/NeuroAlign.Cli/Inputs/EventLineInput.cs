using System.Globalization;
using System.Text.RegularExpressions;
using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Sync;
using NeuroAlign.Time;

namespace NeuroAlign.Cli.Inputs;

/// <summary>
/// --events-from STREAM:LINE[:EDGE] (issue 8): windows at the edges of a digital line recorded with an
/// ephys stream (SpikeGLX SY/XD word bits, Open Ephys TTL lines), each edge's sample put on the
/// reference clock through that stream's map, so a stream tied to the reference by sync gives its
/// corrected times.
/// </summary>
internal static partial class EventLineInput
{
    public const string Option = "--events-from";
    public const string MinimumWidthOption = "--event-min-width";

    public static readonly OptionSpec[] Options =
    [
        new(Option, "STREAM:LINE[:EDGE]", "windows at the edges of a digital line of an ephys stream, numbered as `info` lists them, e.g. ephys:6 or ephys_1:2:falling; EDGE is rising (default), falling or both"),
        new(MinimumWidthOption, "SECONDS", "--events-from: drop pulses (high or low) shorter than this first (default: keep every edge)"),
    ];

    /// <summary>The option's value, parsed: stream name, line number, and the edges that are window times (null: both kinds).</summary>
    private sealed record Spec(string Text, string Stream, int Line, EdgeKind? Edges);

    /// <summary>Everything --events-from and --event-min-width can get wrong before any file is opened.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="ephysCount">How many --ephys are given: the streams are ephys, ephys_1…</param>
    public static void CheckOptions(ParsedArgs args, int ephysCount)
    {
        if (args.Has(MinimumWidthOption) && !args.Has(Option))
        {
            throw new UsageException($"option {MinimumWidthOption} needs {Option} STREAM:LINE");
        }

        if (args.Get(Option) is not { } text)
        {
            return;
        }

        _ = MinimumWidth(args);
        Spec spec = Parse(text);
        string[] ephys = [.. Enumerable.Range(0, ephysCount).Select(SyncInput.EphysName)];
        if (!ephys.Contains(spec.Stream))
        {
            throw new UsageException(ephys.Length == 0
                ? $"option {Option} {text}: '{spec.Stream}' is not an ephys stream, and no --ephys is given: digital lines are recorded with ephys streams"
                : $"option {Option} {text}: no ephys stream '{spec.Stream}' is loaded (ephys streams: {string.Join(", ", ephys)})");
        }
    }

    /// <summary>
    /// The window times: the chosen edges of the line, each edge's sample at its reference-clock time
    /// (the stream's clock through its map), increasing; and one line for people saying what they are.
    /// </summary>
    /// <exception cref="NeuroAlignException">The stream has no such line, or the line no such edges.</exception>
    public static (double[] Times, string Description) Times(ParsedArgs args, IReadOnlyList<SessionStream> session)
    {
        Spec spec = Parse(args.Get(Option) ?? throw new InvalidOperationException($"{Option} is not given"));
        SessionStream owner = session.First(s => s.Name == spec.Stream);
        DigitalLineSet set = SyncInput.LineSetOf(owner, spec.Line, "give the event times as a file with --events FILE");
        var timeline = new StreamTimeline(set.Clock, owner.Map);
        DigitalEdges raw = set.GetEdges(spec.Line);
        double? minimumWidth = MinimumWidth(args);
        DigitalEdges edges = minimumWidth is { } width ? raw.Debounce(DigitalEdges.WidthInSamples(width, set.Clock.MeanRateHz)) : raw;
        IReadOnlyList<long> samples = Select(edges, spec.Edges);
        string what = $"line {spec.Line} of {owner.Name} ({owner.Stream.SourcePath})";
        if (samples.Count == 0)
        {
            int glitches = Select(raw, spec.Edges).Count;
            string why = glitches > 0
                ? $"its {glitches} edge(s) all belong to pulses shorter than {MinimumWidthOption} {minimumWidth!.Value.ToString("G6", CultureInfo.InvariantCulture)} s"
                : $"the line is {(raw.InitialState ? "high" : "low")} throughout its {set.Clock.SampleCount} samples";
            throw new NeuroAlignException(
                $"option {Option} {spec.Text}: {what}: no {Noun(spec.Edges)} in {Seconds(timeline.StartReferenceSeconds)}..{Seconds(timeline.EndReferenceSeconds)} s: {why}");
        }

        double[] times = samples.Select(timeline.ReferenceTimeOf).ToArray();
        return (times, $"window times: the {times.Length} {Noun(spec.Edges)} of {owner.Name} {set.Name} line {spec.Line}, on the reference clock");
    }

    private static IReadOnlyList<long> Select(DigitalEdges edges, EdgeKind? which) =>
        which is { } kind ? edges.Samples(kind) : edges.AllEdgeSamples();

    private static string Noun(EdgeKind? which) => which is { } kind ? $"{kind.ToText()} edges" : "rising or falling edges";

    private static string Seconds(double t) => t.ToString("G6", CultureInfo.InvariantCulture);

    private static Spec Parse(string text)
    {
        Match m = StreamLineEdge().Match(text);
        if (!m.Success)
        {
            throw new UsageException($"option {Option} {text}: expected STREAM:LINE or STREAM:LINE:EDGE, e.g. ephys:6 or ephys_1:2:falling");
        }

        if (!int.TryParse(m.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int line))
        {
            throw new UsageException($"option {Option} {text}: line '{m.Groups[2].Value}' is not a line number (`neuro-align info` lists a recording's lines)");
        }

        EdgeKind? edges = m.Groups[3].Success ? m.Groups[3].Value switch
        {
            "rising" => EdgeKind.Rising,
            "falling" => EdgeKind.Falling,
            "both" => null,
            string other => throw new UsageException($"option {Option} {text}: unknown edge '{other}': expected rising, falling or both"),
        }
        : EdgeKind.Rising;
        return new Spec(text, m.Groups[1].Value, line, edges);
    }

    private static double? MinimumWidth(ParsedArgs args) =>
        args.Get(MinimumWidthOption) is null ? null : args.GetDouble(MinimumWidthOption, 0, allowNegative: false);

    [GeneratedRegex(@"^([^:]+):([^:]+)(?::([^:]*))?$")]
    private static partial Regex StreamLineEdge();
}
