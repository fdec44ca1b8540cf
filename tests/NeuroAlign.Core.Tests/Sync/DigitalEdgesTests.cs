using NeuroAlign.Sync;

namespace NeuroAlign.Core.Tests.Sync;

public class DigitalEdgesTests
{
    /// <summary>Edges of a sampled line, found by comparing each sample with the one before.</summary>
    private static DigitalEdges EdgesOf(bool[] line)
    {
        var rising = new List<long>();
        var falling = new List<long>();
        for (int k = 1; k < line.Length; k++)
        {
            if (line[k] != line[k - 1])
            {
                (line[k] ? rising : falling).Add(k);
            }
        }

        return new DigitalEdges(3, line[0], [.. rising], [.. falling]);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 2)]
    [InlineData(false, 3)]
    public void Debounce_GlitchesInsideRuns_GivesTheCleanLinesEdges(bool initial, int seed)
    {
        // A clean line of runs 20-200 samples long; then glitches of 1-4 samples flipped inside runs,
        // at least 10 samples from any edge. Debouncing at 5 samples must give back the clean edges.
        var random = new Random(seed);
        var clean = new bool[20_000];
        bool state = initial;
        int at = 0;
        var runs = new List<(int Start, int End)>();
        while (at < clean.Length)
        {
            int length = random.Next(20, 200);
            int end = Math.Min(clean.Length, at + length);
            Array.Fill(clean, state, at, end - at);
            runs.Add((at, end));
            at = end;
            state = !state;
        }

        bool[] noisy = (bool[])clean.Clone();
        int glitches = 0;
        foreach ((int start, int end) in runs.Where(r => r.End - r.Start >= 40 && random.Next(2) == 0))
        {
            int width = random.Next(1, 5);
            int g = random.Next(start + 10, end - 10 - width);
            for (int k = g; k < g + width; k++)
            {
                noisy[k] = !noisy[k];
            }

            glitches++;
        }

        DigitalEdges expected = EdgesOf(clean);
        DigitalEdges raw = EdgesOf(noisy);

        DigitalEdges debounced = raw.Debounce(5);

        Assert.True(glitches > 20);
        Assert.Equal(expected.RisingSamples.Count + glitches, raw.RisingSamples.Count);
        Assert.Equal(expected.RisingSamples, debounced.RisingSamples);
        Assert.Equal(expected.FallingSamples, debounced.FallingSamples);
        Assert.Equal(initial, debounced.InitialState);
    }

    [Fact]
    public void Debounce_PulsesAtTheMinimumWidth_AreKept()
    {
        var edges = new DigitalEdges(0, false, [100, 300], [105, 304]);

        DigitalEdges debounced = edges.Debounce(5);

        Assert.Equal([100L], debounced.RisingSamples);
        Assert.Equal([105L], debounced.FallingSamples);
    }

    [Fact]
    public void Debounce_RepeatedEventsOfOneState_AreDroppedNotCountedAsPulses()
    {
        // Event-based lines (Open Ephys TTL) may repeat a state; the repeat changes nothing.
        var edges = new DigitalEdges(1, false, [100, 150, 400], [300, 500]);

        DigitalEdges debounced = edges.Debounce(2);

        Assert.Equal([100L, 400L], debounced.RisingSamples);
        Assert.Equal([300L, 500L], debounced.FallingSamples);
    }

    [Fact]
    public void Debounce_WidthOneOrLess_ReturnsTheSameEdges()
    {
        var edges = new DigitalEdges(0, true, [10], [5]);

        Assert.Same(edges, edges.Debounce(1));
        Assert.Same(edges, edges.Debounce(0));
    }

    [Fact]
    public void Samples_EachKind_ReturnsItsList()
    {
        var edges = new DigitalEdges(0, false, [10, 30], [20]);

        Assert.Equal([10L, 30L], edges.Samples(EdgeKind.Rising));
        Assert.Equal([20L], edges.Samples(EdgeKind.Falling));
        Assert.Equal(EdgeKind.Falling, EdgeKinds.Parse(" Falling "));
        Assert.Throws<NeuroAlignException>(() => EdgeKinds.Parse("both"));
    }

    [Fact]
    public void AllEdgeSamples_InterleavedKinds_MergedIncreasing()
    {
        var edges = new DigitalEdges(0, true, [40, 90], [5, 60, 120]);

        Assert.Equal([5L, 40L, 60L, 90L, 120L], edges.AllEdgeSamples());
    }

    [Fact]
    public void AllEdgeSamples_BothKindsAtOneSample_ListedOnce()
    {
        // Event lists (Open Ephys TTL) can hold a zero-width pulse: on and off stamped with one sample.
        var edges = new DigitalEdges(1, false, [10, 30], [10, 35]);

        Assert.Equal([10L, 30L, 35L], edges.AllEdgeSamples());
        Assert.Empty(new DigitalEdges(1, false, [], []).AllEdgeSamples());
    }

    [Theory]
    [InlineData(0.001, 30_000, 30)]
    [InlineData(0.00100000000001, 30_000, 30)]
    [InlineData(0.00101, 30_000, 31)]
    [InlineData(0, 30_000, 0)]
    [InlineData(2 / 25_000.0, 25_000, 2)]
    public void WidthInSamples_Seconds_WholeSamplesRoundedUp(double seconds, double rateHz, long expected)
    {
        Assert.Equal(expected, DigitalEdges.WidthInSamples(seconds, rateHz));
    }
}
