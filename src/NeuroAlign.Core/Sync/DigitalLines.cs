using NeuroAlign.Time;

namespace NeuroAlign.Sync;

/// <summary>One digital line of a <see cref="DigitalLineSet"/>.</summary>
/// <param name="Number">The line's number as the source names it (a bit of a digital word, or an Open Ephys TTL line).</param>
/// <param name="Label">What the line is, when the metadata says (e.g. "sync input"); empty otherwise.</param>
public sealed record DigitalLine(int Number, string Label);

/// <summary>
/// The state of one digital line over a recording, as its transitions: the line is
/// <see cref="InitialState"/> at sample 0 and toggles at each edge. Edges are sample indices of the
/// stream the line belongs to: a rising edge at k means the line is low at k - 1 and high at k.
/// </summary>
public sealed class DigitalEdges
{
    public DigitalEdges(int line, bool initialState, long[] risingSamples, long[] fallingSamples)
    {
        ArgumentNullException.ThrowIfNull(risingSamples);
        ArgumentNullException.ThrowIfNull(fallingSamples);
        Line = line;
        InitialState = initialState;
        RisingSamples = risingSamples;
        FallingSamples = fallingSamples;
    }

    /// <summary>The line's number.</summary>
    public int Line { get; }

    /// <summary>The line's state at sample 0.</summary>
    public bool InitialState { get; }

    /// <summary>Samples at which the line goes from low to high, increasing.</summary>
    public IReadOnlyList<long> RisingSamples { get; }

    /// <summary>Samples at which the line goes from high to low, increasing.</summary>
    public IReadOnlyList<long> FallingSamples { get; }

    /// <summary>The rising or the falling edges.</summary>
    public IReadOnlyList<long> Samples(EdgeKind kind) => kind == EdgeKind.Rising ? RisingSamples : FallingSamples;

    /// <summary>
    /// Rising and falling edges together, increasing; a sample holding both (a zero-width pulse in a
    /// list of events) is listed once.
    /// </summary>
    public long[] AllEdgeSamples()
    {
        var all = new long[RisingSamples.Count + FallingSamples.Count];
        int r = 0, f = 0, n = 0;
        while (r < RisingSamples.Count || f < FallingSamples.Count)
        {
            bool rising = f >= FallingSamples.Count || (r < RisingSamples.Count && RisingSamples[r] <= FallingSamples[f]);
            long sample = rising ? RisingSamples[r++] : FallingSamples[f++];
            if (n == 0 || all[n - 1] != sample)
            {
                all[n++] = sample;
            }
        }

        return n == all.Length ? all : all[..n];
    }

    /// <summary>
    /// A minimum pulse width as whole samples of a stream sampled at <paramref name="rateHz"/>, rounded
    /// up (a width within 1e-9 sample of a whole number is that number): the argument of <see cref="Debounce"/>.
    /// </summary>
    public static long WidthInSamples(double seconds, double rateHz)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(seconds);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rateHz);
        return (long)Math.Ceiling((seconds * rateHz) - 1e-9);
    }

    /// <summary>
    /// The same line without glitches: a pulse (high or low) shorter than
    /// <paramref name="minimumWidthSamples"/> is removed with both of its edges, so the line keeps the
    /// state it had around it. Runs are judged in order, so a glitch inside a pulse never splits it.
    /// The run before the first edge is not judged: the recording may have started inside a pulse.
    /// </summary>
    /// <param name="minimumWidthSamples">Shortest run kept; 0 or 1 keeps every edge.</param>
    public DigitalEdges Debounce(long minimumWidthSamples)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumWidthSamples);
        if (minimumWidthSamples <= 1)
        {
            return this;
        }

        // Merge the two lists into one sequence of transitions; a transition to the state the line
        // is already in (a repeated event) changes nothing and is dropped.
        var kept = new List<(long Sample, bool Up)>(RisingSamples.Count + FallingSamples.Count);
        bool state = InitialState;
        int r = 0, f = 0;
        while (r < RisingSamples.Count || f < FallingSamples.Count)
        {
            bool up = f >= FallingSamples.Count || (r < RisingSamples.Count && RisingSamples[r] <= FallingSamples[f]);
            long sample = up ? RisingSamples[r++] : FallingSamples[f++];
            if (up == state)
            {
                continue;
            }

            state = up;
            if (kept.Count > 0 && sample - kept[^1].Sample < minimumWidthSamples)
            {
                // The run since the last kept transition is a glitch: undo that transition too.
                kept.RemoveAt(kept.Count - 1);
                continue;
            }

            kept.Add((sample, up));
        }

        return new DigitalEdges(
            Line,
            InitialState,
            kept.Where(t => t.Up).Select(t => t.Sample).ToArray(),
            kept.Where(t => !t.Up).Select(t => t.Sample).ToArray());
    }

    /// <summary>The line's state at <paramref name="sample"/>: the latest edge at or before it decides.</summary>
    public bool StateAt(long sample)
    {
        long rise = LastAtOrBefore(RisingSamples, sample);
        long fall = LastAtOrBefore(FallingSamples, sample);
        return rise < 0 && fall < 0 ? InitialState : rise > fall;
    }

    private static long LastAtOrBefore(IReadOnlyList<long> edges, long sample)
    {
        long found = SortedSearch.LastWhere(edges.Count, new AtOrBefore(edges, sample));
        return found < 0 ? -1 : edges[(int)found];
    }

    private readonly struct AtOrBefore(IReadOnlyList<long> edges, long sample) : IPrefixTest
    {
        public bool Holds(long index) => edges[(int)index] <= sample;
    }
}

/// <summary>
/// A group of digital lines recorded with a stream: the bits of a digital word sampled with the
/// data (SpikeGLX SY and XD channels) or TTL events stamped with sample numbers (Open Ephys).
/// Sample indices are those of <see cref="Clock"/>, the stream's own clock.
/// </summary>
public abstract class DigitalLineSet
{
    /// <summary>Short name, e.g. "SY word (column 384)" or "TTL (OneBox-111.ProbeA/TTL)".</summary>
    public abstract string Name { get; }

    /// <summary>The clock of the stream whose sample indices the edges use.</summary>
    public abstract SampleClock Clock { get; }

    /// <summary>The lines, in increasing number.</summary>
    public abstract IReadOnlyList<DigitalLine> Lines { get; }

    /// <summary>Rising and falling edges of line <paramref name="line"/> (a number from <see cref="Lines"/>); computed once and kept.</summary>
    /// <exception cref="NeuroAlignException">No such line.</exception>
    public DigitalEdges GetEdges(int line) => GetEdgesAt(PositionOf(line));

    /// <summary>Edges of every line, in the order of <see cref="Lines"/>; computed once and kept.</summary>
    public abstract IReadOnlyList<DigitalEdges> GetAllEdges();

    /// <summary>Edges of the line at <paramref name="position"/> in <see cref="Lines"/>.</summary>
    protected abstract DigitalEdges GetEdgesAt(int position);

    /// <summary>Position in <see cref="Lines"/> of line number <paramref name="line"/>.</summary>
    /// <exception cref="NeuroAlignException">No such line; the message lists the lines.</exception>
    protected int PositionOf(int line)
    {
        for (int i = 0; i < Lines.Count; i++)
        {
            if (Lines[i].Number == line)
            {
                return i;
            }
        }

        throw new NeuroAlignException(
            $"{Name}: digital line {line} does not exist: the lines are {string.Join(", ", Lines.Select(l => l.Number))}");
    }

    /// <summary>One line for `info`: the lines, runs of unlabelled ones as ranges ("0-5, 6 (sync input), 7-15").</summary>
    public string Describe()
    {
        var parts = new List<string>();
        for (int i = 0; i < Lines.Count; i++)
        {
            DigitalLine line = Lines[i];
            if (!string.IsNullOrEmpty(line.Label))
            {
                parts.Add($"{line.Number} ({line.Label})");
                continue;
            }

            int j = i;
            while (j + 1 < Lines.Count && string.IsNullOrEmpty(Lines[j + 1].Label) && Lines[j + 1].Number == Lines[j].Number + 1)
            {
                j++;
            }

            parts.Add(j > i + 1 ? $"{line.Number}-{Lines[j].Number}" : line.Number.ToString());
            if (j == i + 1)
            {
                parts.Add(Lines[j].Number.ToString());
            }

            i = j;
        }

        return $"{Name}: {(parts.Count == 0 ? "no lines" : "lines " + string.Join(", ", parts))}";
    }
}

/// <summary>
/// Lines whose edges were recorded as events (Open Ephys TTL folders): the edges are given, already
/// converted to the stream's sample indices.
/// </summary>
public sealed class EventDigitalLineSet : DigitalLineSet
{
    private readonly DigitalLine[] _lines;
    private readonly DigitalEdges[] _edges;

    /// <param name="name">Short name for messages and `info`.</param>
    /// <param name="clock">The stream's clock.</param>
    /// <param name="lines">Each line with its edges; sorted by line number here.</param>
    public EventDigitalLineSet(string name, SampleClock clock, IEnumerable<(DigitalLine Line, DigitalEdges Edges)> lines)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(lines);
        var sorted = lines.OrderBy(l => l.Line.Number).ToArray();
        Name = name;
        Clock = clock;
        _lines = sorted.Select(l => l.Line).ToArray();
        _edges = sorted.Select(l => l.Edges).ToArray();
    }

    public override string Name { get; }

    public override SampleClock Clock { get; }

    public override IReadOnlyList<DigitalLine> Lines => _lines;

    public override IReadOnlyList<DigitalEdges> GetAllEdges() => _edges;

    protected override DigitalEdges GetEdgesAt(int position) => _edges[position];
}
