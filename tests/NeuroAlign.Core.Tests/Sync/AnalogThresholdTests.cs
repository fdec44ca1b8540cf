using NeuroAlign.Formats;
using NeuroAlign.Sessions;
using NeuroAlign.Streams;
using NeuroAlign.Sync;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Sync;

/// <summary>
/// NIDQ analog channels (issue 21 item 2): volts from the .meta's gains, a photodiode's threshold
/// crossings with hysteresis at their true times, pulses of two widths on one line told apart.
/// Truth comes from <see cref="SyntheticNidq"/>'s signal definitions, not from the reader.
/// </summary>
public class AnalogThresholdTests
{
    private const double Period = 1 / SyntheticNidq.RateHz;

    [Fact]
    public void NidqChannels_NaturalUnitsAndGains_FromTheMeta()
    {
        using var folder = new TempFolder();
        var nidq = new SyntheticNidq(folder.Path);

        using EphysRecording recording = EphysReader.Open(nidq.BinPath, new EphysOpenOptions());

        Assert.Equal(["MN0", "MA0", "XA0", "XD0"], recording.ChannelLayout!.Names);
        Assert.Equal(["V", "V", "V", "counts"], ChannelUnits.Natural(recording));
        double count = SyntheticNidq.RangeMaxVolts / SyntheticNidq.MaxInt * 1e6;
        Assert.Equal([count / SyntheticNidq.MnGain, count / SyntheticNidq.MaGain, count, 1.0], recording.GainsToMicrovolts);
        Assert.Equal(["uV", "uV", "uV", "counts"], ChannelUnits.Output(recording, EphysUnits.Microvolts));
        Assert.Contains(recording.Details, d => d.Key == "gain to uV (XA)" && d.Value.Contains("in volts: 0.0001525878906 V per count", StringComparison.Ordinal));
        Assert.Contains(recording.Details, d => d.Key == "gain to uV (MN)" && d.Value.Contains("gain 200", StringComparison.Ordinal));

        // The physical view: volts for the analog inputs, the word as stored; µV per written unit for filters.
        using var physical = ChannelUnits.View(recording, EphysUnits.Physical)!;
        var block = new float[10 * 4];
        physical.ReadBlock(1000, 10, System.Runtime.InteropServices.MemoryMarshal.AsBytes(block.AsSpan()));
        for (int r = 0; r < 10; r++)
        {
            long k = 1000 + r;
            Assert.Equal((float)(SyntheticNidq.MnValue(k) * 5.0 / 32768 / 200), block[r * 4]);
            Assert.Equal((float)(SyntheticNidq.MaValue(k) * 5.0 / 32768 / 2), block[(r * 4) + 1]);
            Assert.Equal(SyntheticNidq.Photodiode(k * Period), block[(r * 4) + 2], 3e-4);
            Assert.Equal(k % 1000 < 500 ? 1f : 0f, block[(r * 4) + 3] % 2);
        }

        Assert.Equal([1e6, 1e6, 1e6, 1.0], physical.GainsToMicrovolts);
    }

    [Fact]
    public void Scan_Photodiode_EdgesAtTheTrueCrossingsWithinOneSample()
    {
        using var folder = new TempFolder();
        var nidq = new SyntheticNidq(folder.Path);
        using EphysRecording recording = EphysReader.Open(nidq.BinPath, new EphysOpenOptions());

        AnalogThreshold found = AnalogThreshold.Scan(recording, 2, SyntheticNidq.LevelVolts * 1e6, 0.25e6);

        // Four clean pulses and one slow noisy one: hysteresis makes one rising edge of it, not many.
        var truthUp = SyntheticNidq.CleanCrossings().Select(c => c.Up).Append(SyntheticNidq.SlowFirstCrossing()).ToArray();
        var truthDown = SyntheticNidq.CleanCrossings().Select(c => c.Down).ToArray();
        Assert.Equal(truthUp.Length, found.Edges.RisingSamples.Count);
        Assert.Equal(truthDown.Length + 1, found.Edges.FallingSamples.Count);
        for (int i = 0; i < truthUp.Length; i++)
        {
            long edge = found.Edges.RisingSamples[i];
            double exact = found.ExactPosition(edge) * Period;
            Assert.True(Math.Abs(exact - truthUp[i]) < Period / 4, $"rising {i}: {exact:R} s, truth {truthUp[i]:R} s");

            // The whole-sample edge is the first sample at or above the level.
            Assert.Equal((long)Math.Ceiling(truthUp[i] * SyntheticNidq.RateHz), edge);
        }

        for (int i = 0; i < truthDown.Length; i++)
        {
            double exact = found.ExactPosition(found.Edges.FallingSamples[i]) * Period;
            Assert.True(Math.Abs(exact - truthDown[i]) < Period / 4, $"falling {i}: {exact:R} s, truth {truthDown[i]:R} s");
        }

        // Without a band the ripple of the slow pulse makes extra edges: the hysteresis is what removes them.
        AnalogThreshold bare = AnalogThreshold.Scan(recording, 2, SyntheticNidq.LevelVolts * 1e6, 0);
        Assert.True(bare.Edges.RisingSamples.Count > truthUp.Length + 1, $"{bare.Edges.RisingSamples.Count} rising edges without hysteresis");
    }

    [Fact]
    public void PulseWidthRule_TwoWidthsOnOneLine_SplitIntoTwoKinds()
    {
        using var folder = new TempFolder();
        var nidq = new SyntheticNidq(folder.Path);
        using EphysRecording recording = EphysReader.Open(nidq.BinPath, new EphysOpenOptions());
        DigitalEdges line = recording.DigitalLines.Single().GetEdges(SyntheticNidq.WidthLine);
        double Seconds(long k) => recording.Clock.TimeOf(k);
        long[] rising = [.. Enumerable.Range(1, (int)SyntheticNidq.Samples - 1).Where(k => SyntheticNidq.WidthLineHigh(k / SyntheticNidq.RateHz) && !SyntheticNidq.WidthLineHigh((k - 1) / SyntheticNidq.RateHz)).Select(k => (long)k)];
        long[] falling = [.. Enumerable.Range(1, (int)SyntheticNidq.Samples - 1).Where(k => !SyntheticNidq.WidthLineHigh(k / SyntheticNidq.RateHz) && SyntheticNidq.WidthLineHigh((k - 1) / SyntheticNidq.RateHz)).Select(k => (long)k)];

        DigitalEdges shortPulses = new PulseWidthRule(0.010, 0.002).Select(line, Seconds);
        DigitalEdges longPulses = new PulseWidthRule(0.030, 0.002).Select(line, Seconds);
        DigitalEdges none = new PulseWidthRule(0.100, 0.010).Select(line, Seconds);

        // The truth: the edges of the line as the writer defined it, every other pulse short.
        Assert.Equal(8, rising.Length);
        Assert.Equal(rising.Where((_, i) => i % 2 == 0), shortPulses.RisingSamples);
        Assert.Equal(falling.Where((_, i) => i % 2 == 0), shortPulses.FallingSamples);
        Assert.Equal(rising.Where((_, i) => i % 2 == 1), longPulses.RisingSamples);
        Assert.Equal(falling.Where((_, i) => i % 2 == 1), longPulses.FallingSamples);
        Assert.Empty(none.RisingSamples);
        Assert.Equal("its pulses are 4 × 10 ms, 4 × 30 ms", PulseWidthRule.DescribeWidths(line, Seconds));
    }

    [Theory]
    [InlineData("ephys_1:XA0>2.5V", "XA0", 2.5, 0.25, -1)]
    [InlineData("ephys_1:XA0>2.5V~0.2V", "XA0", 2.5, 0.2, -1)]
    [InlineData("ni:AI3>300mV:falling", "AI3", 0.3, 0.03, -1)]
    [InlineData("ephys:XA1>-1V~500mV", "XA1", -1, 0.5, -1)]
    [InlineData("ephys:6", null, 0, 0, 6)]
    public void Parse_LineOrThreshold(string text, string? channel, double level, double band, int line)
    {
        LineEdges spec = LineEdges.Parse(text);

        Assert.Equal(line, spec.Line);
        if (channel is null)
        {
            Assert.Null(spec.Threshold);
        }
        else
        {
            Assert.Equal(channel, spec.Threshold!.Channel);
            Assert.Equal(level, spec.Threshold.LevelVolts, 12);
            Assert.Equal(band, spec.Threshold.BandVolts, 12);
        }
    }

    [Theory]
    [InlineData("ephys_1:6:width=500ms±20ms", 0.5, 0.02, "rising")]
    [InlineData("ephys_1:6:falling:width=0.5s+-0.02s", 0.5, 0.02, "falling")]
    [InlineData("ephys_1:6:width=10ms:both", 0.01, 0.001, "both")]
    [InlineData("ephys_1:XA0>2.5V:width=50ms±5ms", 0.05, 0.005, "rising")]
    public void Parse_WidthRule(string text, double width, double tolerance, string edges)
    {
        LineEdges spec = LineEdges.Parse(text);

        Assert.Equal(width, spec.Width!.WidthSeconds, 12);
        Assert.Equal(tolerance, spec.Width.ToleranceSeconds, 12);
        Assert.Equal(edges, spec.Edges?.ToText() ?? "both");
    }

    [Theory]
    [InlineData("ephys_1:XA0>2.5", "is not CHANNEL>LEVEL[~BAND] with a voltage unit")]
    [InlineData("ephys_1:XA0>0V", "a level of 0 has no default band")]
    [InlineData("ephys_1:XA0>1V~-1V", "is negative")]
    [InlineData("ephys_1:6:width=500", "is not W[±T] with units s or ms")]
    [InlineData("ephys_1:6:width=0ms", "expected a positive width")]
    [InlineData("ephys_1:6:rising:falling", "repeats a field")]
    [InlineData("ephys_1:6:width=1s:width=2s", "repeats a field")]
    [InlineData("ephys_1:6:sideways", "unknown edge 'sideways'")]
    [InlineData("ephys_1:XA0", "is not a line number")]
    [InlineData("ephys_1", "expected STREAM:LINE")]
    [InlineData("ephys_1:6:rising:width=1s:both", "expected STREAM:LINE")]
    public void Parse_BadText_OneLineNamingTheProblem(string text, string expected)
    {
        var e = Assert.Throws<SettingException>(() => LineEdges.Parse(text));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }
}
