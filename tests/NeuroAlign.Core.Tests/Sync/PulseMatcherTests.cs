using NeuroAlign.Sync;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Sync;

/// <summary>
/// Shared pulse trains with known truth: the world's pulses are sampled by devices whose clocks are
/// offset and drift (<see cref="DeviceClock"/>); an edge shows at the first sample taken at or after it.
/// The fitted map is compared with the devices' true clocks, not with the code's own formulas.
/// </summary>
public class PulseMatcherTests
{
    private const double ProbeRateHz = 30_000;
    private const double Tolerance = 2.5 / ProbeRateHz;

    /// <summary>Own-clock times of <paramref name="edges"/> (reference seconds) as a device sampling at <paramref name="rateHz"/> sees them.</summary>
    private static double[] Sampled(DeviceClock clock, double rateHz, IEnumerable<double> edges) =>
        edges.Where(e => clock.OwnOf(e) >= 0).Select(e => SyntheticSync.FirstSampleAtOrAfter(clock, rateHz, e) / rateHz).ToArray();

    private static PulseTrain Train(string source, double[] seconds, double rateHz = ProbeRateHz) => new(source, seconds, 1 / rateHz);

    private static ClockFitOptions Limits(double maxDriftPpm = 500) => ClockFitOptions.ForResolutions(1 / ProbeRateHz, 1 / ProbeRateHz, maxDriftPpm);

    private static double[] OneHertz(int count) => Enumerable.Range(0, count).Select(n => 0.25 + n).ToArray();

    [Fact]
    public void MatchAndFit_SecondProbeAtMinus20PpmWithMissingPulses_RecoversItsClock()
    {
        // Ten minutes of a 1 Hz sync wave; the second probe starts 12.3 ms late and runs 20 ppm slow;
        // five of its pulses and three of the reference's are lost.
        var reference = new DeviceClock(0, 0);
        var probe = new DeviceClock(0.0123, -20);
        double[] edges = OneHertz(600);
        int[] lostByProbe = [3, 100, 101, 350, 599];
        int[] lostByReference = [0, 250, 420];
        double[] own = Sampled(probe, ProbeRateHz, edges.Where((_, i) => !lostByProbe.Contains(i)));
        double[] referenceTimes = Sampled(reference, ProbeRateHz, edges.Where((_, i) => !lostByReference.Contains(i)));

        PulseMatch match = PulseMatcher.Match("ephys_1", Train("probe", own), Train("reference", referenceTimes), new PulseMatchOptions());
        ClockFit fit = ClockFitter.Fit("ephys_1", match.OwnSeconds, match.ReferenceSeconds, Limits());

        Assert.Equal(600 - 5 - 3, match.Count);
        Assert.Equal(2, match.OwnUnmatched);
        Assert.Equal(4, match.ReferenceUnmatched);

        // Which ones, at their times: the probe's pulses the reference lost inside its span (not edge 0,
        // before the reference's first), and the reference's pulses the probe lost inside the matched
        // span (not edge 599, after the probe's last match).
        Assert.Equal(Sampled(probe, ProbeRateHz, [edges[250], edges[420]]), match.OwnUnmatchedSeconds);
        Assert.Equal(Sampled(reference, ProbeRateHz, [edges[3], edges[100], edges[101], edges[350]]), match.ReferenceUnmatchedSeconds);
        Assert.Equal("linear", fit.Method);
        Assert.Equal(match.Count, fit.PulsesMatched);
        Assert.True(fit.MaxResidualSeconds <= Tolerance, fit.Describe());

        // Truth: slope = reference seconds per own second = 1 / (1 - 20e-6); drift_ppm = (slope - 1) · 1e6.
        Assert.Equal(1 / (1 - 20e-6), fit.Slope, 7);
        Assert.Equal(20.0004, fit.DriftPpm, 1);
        for (double ownSeconds = 0; ownSeconds < 600; ownSeconds += 7.3)
        {
            Assert.True(Math.Abs(fit.Map.ToReference(ownSeconds) - probe.ReferenceOf(ownSeconds)) < 1 / ProbeRateHz, $"own {ownSeconds} s");
        }
    }

    [Fact]
    public void Match_PeriodicTrainStreamsStartTogether_TakesTheOffsetNearestThePrior()
    {
        // A regular 1 Hz wave lines up at every whole-second shift; the streams of one acquisition
        // start together (prior 0), so the true offset of 0.3 s is the one nearest.
        var probe = new DeviceClock(0.3, 0);
        double[] own = Sampled(probe, ProbeRateHz, OneHertz(120));
        double[] reference = Sampled(new DeviceClock(0, 0), ProbeRateHz, OneHertz(120));

        PulseMatch match = PulseMatcher.Match("ephys_1", Train("probe", own), Train("reference", reference), new PulseMatchOptions());

        Assert.Equal(0.3, match.CoarseOffsetSeconds, 3);
        Assert.StartsWith("periodic", match.OffsetSearch, StringComparison.Ordinal);
        Assert.Equal(119, match.Count);
    }

    [Fact]
    public void Match_IrregularTrainFarFromThePrior_FindsTheOffsetFromThePattern()
    {
        // Random intervals of 0.5-1.5 s (a "barcode" train): one offset only lines them up, even
        // 37.4 s away from where the streams would be expected to sit.
        var random = new Random(7);
        var edges = new List<double> { 1 };
        while (edges.Count < 300)
        {
            edges.Add(edges[^1] + 0.5 + random.NextDouble());
        }

        var probe = new DeviceClock(37.4, 15);
        double[] own = Sampled(probe, ProbeRateHz, edges);
        double[] reference = Sampled(new DeviceClock(0, 0), ProbeRateHz, edges);

        PulseMatch match = PulseMatcher.Match("ephys_1", Train("probe", own), Train("reference", reference), new PulseMatchOptions());
        ClockFit fit = ClockFitter.Fit("ephys_1", match.OwnSeconds, match.ReferenceSeconds, Limits());

        Assert.StartsWith("unique", match.OffsetSearch, StringComparison.Ordinal);
        Assert.Equal(own.Length, match.Count);
        Assert.Equal(37.4, fit.OffsetSeconds, 4);
        Assert.True(Math.Abs(fit.Map.ToReference(100) - probe.ReferenceOf(100)) < 1 / ProbeRateHz);
    }

    [Fact]
    public void Match_UnrelatedTrains_ThrowsOneLineWithTheCounts()
    {
        var a = new Random(1);
        var b = new Random(2);
        double[] Train1(Random r) => Enumerable.Range(0, 200).Select(i => i + (r.NextDouble() * 0.8)).ToArray();

        var e = Assert.Throws<NeuroAlignException>(() =>
            PulseMatcher.Match("ephys_1", Train("probe line 6", Train1(a)), Train("nidq line 0", Train1(b)), new PulseMatchOptions()));

        Assert.StartsWith("ephys_1: pulse trains cannot be matched: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("(probe line 6: 200 pulses; nidq line 0: 200 pulses)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Match_TrainsOfDifferentRates_ThrowsSayingTheyDiffer()
    {
        double[] oneHertz = OneHertz(60);
        double[] thirtyHertz = Enumerable.Range(0, 1800).Select(i => i / 30.0).ToArray();

        var e = Assert.Throws<NeuroAlignException>(() =>
            PulseMatcher.Match("ephys_1", Train("a", oneHertz), Train("b", thirtyHertz), new PulseMatchOptions()));

        Assert.Contains("pulses come every 1000 ms on one side and every 33.333 ms on the other: not the same train", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fit_DriftBeyondTheLimit_IsRefusedWithTheFigures()
    {
        var probe = new DeviceClock(0, -800);
        double[] own = Sampled(probe, ProbeRateHz, OneHertz(100));
        double[] reference = Sampled(new DeviceClock(0, 0), ProbeRateHz, OneHertz(100));
        PulseMatch match = PulseMatcher.Match("ephys_1", Train("probe", own), Train("reference", reference), new PulseMatchOptions());

        var e = Assert.Throws<NeuroAlignException>(() => ClockFitter.Fit("ephys_1", match.OwnSeconds, match.ReferenceSeconds, Limits()));
        ClockFit allowed = ClockFitter.Fit("ephys_1", match.OwnSeconds, match.ReferenceSeconds, Limits(maxDriftPpm: 1000));

        Assert.StartsWith("ephys_1: clock fit refused: drift +800.6 ppm is outside ±500 ppm ('max-drift-ppm'): slope ", e.Message, StringComparison.Ordinal);
        Assert.Contains("100 pulses matched", e.Message, StringComparison.Ordinal);
        Assert.Equal(800.64, allowed.DriftPpm, 1);
    }

    [Fact]
    public void Fit_PulsesJitteringByAMillisecond_IsRefusedWithTheFigures()
    {
        var random = new Random(3);
        double[] reference = OneHertz(300);
        double[] own = reference.Select(t => t + 0.002 + ((random.NextDouble() - 0.5) * 0.002)).ToArray();

        var e = Assert.Throws<NeuroAlignException>(() => ClockFitter.Fit("video", own, reference, Limits()));

        Assert.StartsWith("video: clock fit refused: residuals exceed the tolerance and a piecewise fit would need segments shorter than 10 pulses", e.Message, StringComparison.Ordinal);
        Assert.Contains("(tolerance 83.333 us: 2.5 samples at 30000 Hz), 300 pulses matched", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Fit_DriftChangingMidSession_FitsPiecewiseWithinTolerance()
    {
        // An hour in which the probe runs 20 ppm slow, then (warmed up) 10 ppm fast: no single line
        // fits within 2.5 samples; a piecewise-linear map does, and follows the true clock.
        double OwnOf(double t) => t < 1800 ? t * (1 - 20e-6) : (1800 * (1 - 20e-6)) + ((t - 1800) * (1 + 10e-6));
        double ReferenceOf(double own) => own < 1800 * (1 - 20e-6) ? own / (1 - 20e-6) : 1800 + ((own - (1800 * (1 - 20e-6))) / (1 + 10e-6));
        double[] edges = OneHertz(3600);
        double[] own = edges.Select(e => Math.Ceiling(OwnOf(e) * ProbeRateHz) / ProbeRateHz).ToArray();
        double[] reference = edges.Select(e => Math.Ceiling(e * ProbeRateHz) / ProbeRateHz).ToArray();
        PulseMatch match = PulseMatcher.Match("ephys_1", Train("probe", own), Train("reference", reference), new PulseMatchOptions());

        ClockFit fit = ClockFitter.Fit("ephys_1", match.OwnSeconds, match.ReferenceSeconds, Limits());
        var lineOnly = Assert.Throws<NeuroAlignException>(() =>
            ClockFitter.Fit("ephys_1", match.OwnSeconds, match.ReferenceSeconds, Limits() with { AllowPiecewise = false }));

        Assert.Equal(3600, match.Count);
        Assert.Equal("piecewise-linear", fit.Method);
        Assert.InRange(fit.Segments, 2, 20);
        Assert.True(fit.MaxResidualSeconds <= Tolerance, fit.Describe());
        Assert.Contains("max residual exceeds the tolerance", lineOnly.Message, StringComparison.Ordinal);
        for (double ownSeconds = 1; ownSeconds < 3590; ownSeconds += 13.7)
        {
            Assert.True(Math.Abs(fit.Map.ToReference(ownSeconds) - ReferenceOf(ownSeconds)) < Tolerance, $"own {ownSeconds} s");
        }
    }

    [Fact]
    public void Fit_TooFewPulses_IsRefused()
    {
        var e = Assert.Throws<NeuroAlignException>(() => ClockFitter.Fit("ephys_1", [1.0], [1.5], Limits()));

        Assert.Equal("ephys_1: clock fit refused: 1 pulse(s) matched, at least 2 are needed for offset and drift", e.Message);
    }

    [Fact]
    public void GivenOffset_AfterTheStreamsOwnMap_AddsTheOffset()
    {
        ClockFit fit = ClockFit.GivenOffset("video", NeuroAlign.Time.ClockMap.Offset(-2), 0.125);

        Assert.Equal("offset", fit.Method);
        Assert.Equal(8.125, fit.Map.ToReference(10), 12);
        Assert.Equal(-1.875, fit.OffsetSeconds, 12);
        Assert.Equal("offset", fit.ToAttributes()["method"]);
        Assert.Equal(0L, fit.ToAttributes()["pulses_matched"]);
    }
}
