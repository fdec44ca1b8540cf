using System.Buffers;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Sync;

/// <summary>
/// An analog channel read as a digital line by a threshold with hysteresis (a Schmitt trigger): the
/// line goes high where the signal reaches <c>level</c> and low only once it has fallen below
/// <c>level − band</c>, so noise around the level makes one edge, not many. Each edge also has its
/// exact time: the rising edge where the signal crosses the level on the way up, the falling edge
/// where it last crossed the level on the way down before reaching the lower level, both by linear
/// interpolation between the two samples around the crossing.
/// </summary>
public sealed class AnalogThreshold
{
    /// <summary>Samples read per window of the scan: memory holds one window whatever the file's size.</summary>
    public const int WindowSamples = 32_768;

    private readonly Dictionary<long, double> _exact;

    private AnalogThreshold(DigitalEdges edges, Dictionary<long, double> exact)
    {
        Edges = edges;
        _exact = exact;
    }

    /// <summary>
    /// The edges as whole samples, in <see cref="DigitalEdges"/>' sense: a rising edge at k is the
    /// first sample at or above the level, a falling edge at k the first below it after the last
    /// downward crossing.
    /// </summary>
    public DigitalEdges Edges { get; }

    /// <summary>The exact (fractional) sample position of the crossing whose edge is at <paramref name="sample"/>.</summary>
    public double ExactPosition(long sample) => _exact.TryGetValue(sample, out double p) ? p : sample;

    /// <summary>
    /// Own seconds on <paramref name="clock"/> of a fractional sample position <paramref name="exact"/> in (edge − 1, edge]: the
    /// two samples' times interpolated, or the edge's own time where a gap lies between them.
    /// </summary>
    public static double SecondsAt(SampleClock clock, long edge, double exact)
    {
        if (exact == edge || edge <= 0)
        {
            return clock.TimeOf(edge);
        }

        double before = clock.TimeOf(edge - 1), at = clock.TimeOf(edge);
        return at - before > 1.5 / clock.MeanRateHz ? at : before + ((exact - (edge - 1)) * (at - before));
    }

    /// <summary>Scans channel <paramref name="position"/> of <paramref name="stream"/> (its counts × gain to µV).</summary>
    /// <param name="stream">The recording.</param>
    /// <param name="position">The channel's position in the stream.</param>
    /// <param name="levelMicrovolts">The level the signal must reach to go high.</param>
    /// <param name="bandMicrovolts">How far below the level it must fall to go low again (≥ 0).</param>
    /// <param name="line">The number the edges carry (for messages).</param>
    public static AnalogThreshold Scan(ContinuousStream stream, int position, double levelMicrovolts, double bandMicrovolts, int line = 0)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(position, stream.ChannelCount);
        ArgumentOutOfRangeException.ThrowIfNegative(bandMicrovolts);
        double gain = stream.GainsToMicrovolts[position];
        double lower = levelMicrovolts - bandMicrovolts;
        int channels = stream.ChannelCount;
        SampleType type = stream.ElementType;
        long count = stream.SampleCount;
        var rising = new List<long>();
        var falling = new List<long>();
        var exact = new Dictionary<long, double>();
        bool initial = false, high = false;
        double previous = 0, lastDown = 0;
        long lastDownSample = 0;
        int window = (int)Math.Min(WindowSamples, Math.Max(1, count));
        byte[] buffer = ArrayPool<byte>.Shared.Rent(window * stream.FrameBytes);
        try
        {
            for (long start = 0; start < count; start += window)
            {
                int rows = (int)Math.Min(window, count - start);
                Span<byte> block = buffer.AsSpan(0, rows * stream.FrameBytes);
                stream.ReadBlock(start, rows, block);
                for (int r = 0; r < rows; r++)
                {
                    long k = start + r;
                    double v = type.ReadAsDouble(block, (r * channels) + position) * gain;
                    if (k == 0)
                    {
                        initial = high = v >= levelMicrovolts;
                        previous = v;
                        continue;
                    }

                    if (!high)
                    {
                        if (v >= levelMicrovolts)
                        {
                            // previous < level ≤ v: the crossing lies in (k − 1, k].
                            high = true;
                            rising.Add(k);
                            exact[k] = k - 1 + ((levelMicrovolts - previous) / (v - previous));
                        }
                    }
                    else
                    {
                        if (previous >= levelMicrovolts && v < levelMicrovolts)
                        {
                            lastDownSample = k;
                            lastDown = k - 1 + ((previous - levelMicrovolts) / (previous - v));
                        }

                        if (v < lower)
                        {
                            // Re-armed: the edge is the last crossing of the level on the way down.
                            high = false;
                            falling.Add(lastDownSample);
                            exact[lastDownSample] = lastDown;
                        }
                    }

                    previous = v;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return new AnalogThreshold(new DigitalEdges(line, initial, [.. rising], [.. falling]), exact);
    }
}

/// <summary>
/// Pulses of one width (CatGT's -xd/-xid extractors): a pulse is a high run from a rising edge to
/// the next falling edge; only pulses whose width is within the tolerance of the width asked for
/// are kept, with both of their edges, so several kinds of event on one line come apart.
/// </summary>
/// <param name="WidthSeconds">The pulse width sought.</param>
/// <param name="ToleranceSeconds">How far a pulse's width may be from it (inclusive).</param>
public sealed record PulseWidthRule(double WidthSeconds, double ToleranceSeconds)
{
    /// <summary>The pulses of <paramref name="edges"/> whose width matches; <paramref name="secondsOf"/> gives an edge's time on the stream's own clock.</summary>
    public DigitalEdges Select(DigitalEdges edges, Func<long, double> secondsOf)
    {
        ArgumentNullException.ThrowIfNull(edges);
        ArgumentNullException.ThrowIfNull(secondsOf);
        var rising = new List<long>();
        var falling = new List<long>();
        foreach ((long r, long f, double width) in Pulses(edges, secondsOf))
        {
            if (Math.Abs(width - WidthSeconds) <= ToleranceSeconds)
            {
                rising.Add(r);
                falling.Add(f);
            }
        }

        // Low between kept pulses: a pulse already high at the first sample has no rising edge to keep.
        return new DigitalEdges(edges.Line, false, [.. rising], [.. falling]);
    }

    /// <summary>
    /// The widths of a line's pulses for a message: the most common, rounded to 3 significant
    /// digits ("12 × 100 ms, 3 × 500 ms"), or that it has none.
    /// </summary>
    public static string DescribeWidths(DigitalEdges edges, Func<long, double> secondsOf)
    {
        ArgumentNullException.ThrowIfNull(edges);
        ArgumentNullException.ThrowIfNull(secondsOf);
        var groups = Pulses(edges, secondsOf)
            .GroupBy(p => double.Parse((p.Width * 1e3).ToString("G3", System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture))
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key).ToArray();
        return groups.Length == 0
            ? "the line has no complete pulse (a rising edge followed by a falling edge)"
            : "its pulses are " + string.Join(", ", groups.Take(5).Select(g => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{g.Count()} × {g.Key:G3} ms")))
                + (groups.Length > 5 ? $" and {groups.Skip(5).Sum(g => g.Count())} of {groups.Length - 5} other widths" : "");
    }

    public override string ToString() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture, $"width {WidthSeconds * 1e3:G6} ms ± {ToleranceSeconds * 1e3:G6} ms");

    private static IEnumerable<(long Rising, long Falling, double Width)> Pulses(DigitalEdges edges, Func<long, double> secondsOf)
    {
        int f = 0;
        foreach (long r in edges.RisingSamples)
        {
            while (f < edges.FallingSamples.Count && edges.FallingSamples[f] <= r)
            {
                f++;
            }

            if (f == edges.FallingSamples.Count)
            {
                // A pulse still high at the end of the recording has no width.
                yield break;
            }

            long end = edges.FallingSamples[f];
            yield return (r, end, secondsOf(end) - secondsOf(r));
        }
    }
}
