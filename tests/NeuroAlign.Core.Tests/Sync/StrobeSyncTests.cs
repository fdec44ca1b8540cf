using NeuroAlign.Sync;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Sync;

/// <summary>
/// Strobes and scanner triggers with known truth. The reference probe samples the strobe line at
/// 2.5 kHz (enough: an edge lands within 0.4 ms of the exposure, a frame lasts 33 ms), so each pulse
/// is the first reference sample at or after the exposure.
/// </summary>
public class StrobeSyncTests
{
    private const double ReferenceRateHz = 2500;
    private const double Fps = 30;

    private static PulseTrain Strobes(IEnumerable<double> exposures, string source = "ephys line 1") =>
        new(source, exposures.Select(t => Math.Ceiling((t * ReferenceRateHz) - 1e-9) / ReferenceRateHz).ToArray(), 1 / ReferenceRateHz);

    [Fact]
    public void Reconcile_CameraAt80PpmWithOnePercentDropped_GivesEachFrameItsExposure()
    {
        // Ten minutes at 30 fps on a camera clock 80 ppm fast that starts 0.3 s into the reference
        // recording; the camera skips 1 % of its exposures (no strobe, no frame).
        var camera = new DeviceClock(0.3, 80);
        double[] truth = SyntheticSync.CameraFrames(camera, Fps, 18_000, 0.01, seed: 11, out int dropped);
        var videoClock = new RegularClock(0, Fps, truth.Length);

        ClockFit fit = StrobeSync.Reconcile(Strobes(truth), videoClock, new StrobeOptions { Name = "video" });

        Assert.InRange(dropped, 150, 210);
        Assert.Equal(dropped, fit.FramesDropped);
        Assert.Equal(truth.Length, fit.PulsesMatched);
        Assert.Equal(0, fit.LeadingPulsesSkipped);
        Assert.Equal(0, fit.SamplesWithoutPulse);
        Assert.Equal("strobe", fit.Method);

        // The summary line follows the camera's exposure clock, dropped frames aside: 80 ppm fast
        // (its second is shorter on the reference: drift_ppm = (1 / (1 + 80e-6) - 1) · 1e6), from 0.3 s.
        Assert.Equal((1 / (1 + 80e-6) - 1) * 1e6, fit.DriftPpm, 0);
        Assert.Equal(0.3, fit.OffsetSeconds, 3);
        Assert.True(fit.MaxResidualSeconds <= 1 / ReferenceRateHz, fit.Describe());
        var timeline = new StreamTimeline(videoClock, fit.Map);
        for (int k = 0; k < truth.Length; k++)
        {
            double t = timeline.ReferenceTimeOf(k);
            Assert.InRange(t - truth[k], 0, 1 / ReferenceRateHz);
        }

        // The nominal clock (even knowing the 0.3 s start) is off by far more than a frame at the end.
        Assert.True((0.3 + ((truth.Length - 1) / Fps)) - truth[^1] < -1 / Fps);
    }

    [Fact]
    public void Reconcile_ScannerWithFourDummyTriggers_PairsVolumeKWithTriggerKPlusFour()
    {
        // TR 2 s on a scanner clock 30 ppm slow; 4 dummy scans trigger before the 300 recorded volumes.
        var scanner = new DeviceClock(5.0, -30);
        double[] triggers = Enumerable.Range(0, 304).Select(i => scanner.ReferenceOf(i * 2.0)).ToArray();
        var fmriClock = new RegularClock(0, 0.5, 300);

        ClockFit fit = StrobeSync.Reconcile(
            Strobes(triggers, "ephys line 2"), fmriClock, new StrobeOptions { Name = "fmri", SampleNoun = "volume", Method = "trigger", ExtraPulsesLead = true });

        Assert.Equal(4, fit.LeadingPulsesSkipped);
        Assert.Equal(0, fit.TrailingPulsesIgnored);
        Assert.Equal(0, fit.FramesDropped);
        for (int k = 0; k < 300; k++)
        {
            Assert.InRange(fit.Map.ToReference(fmriClock.TimeOf(k)) - triggers[k + 4], 0, 1 / ReferenceRateHz);
        }

        Assert.Contains("4 extra pulses taken as leading", fit.Notes[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Reconcile_ExtraPulsesAtAnUnknownEnd_RefusesWithBothCountsUnlessTold()
    {
        double[] exposures = Enumerable.Range(0, 1005).Select(i => 1 + (i / Fps)).ToArray();
        var clock = new RegularClock(0, Fps, 1000);
        var options = new StrobeOptions { Name = "video" };

        var e = Assert.Throws<NeuroAlignException>(() => StrobeSync.Reconcile(Strobes(exposures), clock, options));
        ClockFit skipped = StrobeSync.Reconcile(Strobes(exposures), clock, options with { SkipLeadingPulses = 2 });
        ClockFit allowed = StrobeSync.Reconcile(Strobes(exposures), clock, options with { AllowCountMismatch = true });

        Assert.Equal(
            "video: 1000 frames, 1005 pulses (ephys line 1): the 5 extra pulses could lie before or after (placements 0 to 5 fit equally well); say how many pulses precede the first frame with 'sync-skip' video=K, or give 'allow-count-mismatch'",
            e.Message);
        Assert.Equal(2, skipped.LeadingPulsesSkipped);
        Assert.Equal(3, skipped.TrailingPulsesIgnored);
        Assert.InRange(skipped.Map.ToReference(0) - exposures[2], 0, 1 / ReferenceRateHz);
        Assert.InRange(allowed.Map.ToReference(0) - exposures[0], 0, 1 / ReferenceRateHz);
        Assert.Single(allowed.Notes);
    }

    [Fact]
    public void Reconcile_RecorderDroppedFramesShownInItsTimestamps_PairsFramesByTheirGaps()
    {
        // The strobe ran 4 exposures before recording started; the camera skipped exposure 250 (no
        // strobe, no frame); the recorder lost frames 100, 101 and 333 after their strobes fired. The
        // video's timestamps jump where frames are missing; the gap in the strobes fixes the placement.
        var camera = new DeviceClock(0.2, 50);
        int[] strobed = Enumerable.Range(0, 600).Where(s => s != 250).ToArray();
        double[] exposures = strobed.Select(s => camera.ReferenceOf(s / Fps)).ToArray();
        int[] savedSlots = strobed.Where(s => s >= 4 && s is not (100 or 101 or 333)).ToArray();
        double[] ownTimes = savedSlots.Select(s => (s - 4) / Fps).ToArray();

        ClockFit fit = StrobeSync.Reconcile(Strobes(exposures), new ExplicitClock(ownTimes), new StrobeOptions { Name = "video" });

        Assert.Equal(4, fit.LeadingPulsesSkipped);
        Assert.Equal(0, fit.TrailingPulsesIgnored);
        Assert.Equal(4, fit.FramesDropped);
        for (int k = 0; k < savedSlots.Length; k++)
        {
            Assert.InRange(fit.Map.ToReference(ownTimes[k]) - camera.ReferenceOf(savedSlots[k] / Fps), 0, 1 / ReferenceRateHz);
        }
    }

    [Fact]
    public void Reconcile_RecorderDroppedFramesButStrobesHaveNoGaps_NeedsToBeToldTheSkip()
    {
        // Every exposure strobed: the frames' gaps fit anywhere along the pulses, so the leading
        // count must be given; with it, each frame finds its exposure.
        double[] exposures = Enumerable.Range(0, 300).Select(s => 1 + (s / Fps)).ToArray();
        int[] savedSlots = Enumerable.Range(4, 296).Where(s => s != 100).ToArray();
        double[] ownTimes = savedSlots.Select(s => (s - 4) / Fps).ToArray();
        var options = new StrobeOptions { Name = "video" };

        var e = Assert.Throws<NeuroAlignException>(() => StrobeSync.Reconcile(Strobes(exposures), new ExplicitClock(ownTimes), options));
        ClockFit fit = StrobeSync.Reconcile(Strobes(exposures), new ExplicitClock(ownTimes), options with { SkipLeadingPulses = 4 });

        Assert.Contains("295 frames, 300 pulses", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, fit.FramesDropped);
        Assert.InRange(fit.Map.ToReference(ownTimes[200]) - exposures[savedSlots[200]], 0, 1 / ReferenceRateHz);
    }

    [Fact]
    public void Reconcile_RecorderMissedThreeStrobes_TimesThoseFramesFromTheirNeighbours()
    {
        var camera = new DeviceClock(0.5, -40);
        double[] exposures = Enumerable.Range(0, 900).Select(s => camera.ReferenceOf(s / Fps)).ToArray();
        int[] missed = [10, 400, 401];
        var clock = new RegularClock(0, Fps, 900);

        ClockFit fit = StrobeSync.Reconcile(Strobes(exposures.Where((_, i) => !missed.Contains(i))), clock, new StrobeOptions { Name = "video" });

        Assert.Equal(3, fit.SamplesWithoutPulse);
        Assert.Equal(897, fit.PulsesMatched);
        for (int k = 0; k < 900; k++)
        {
            Assert.InRange(fit.Map.ToReference(clock.TimeOf(k)) - exposures[k], -1 / ReferenceRateHz, 1 / ReferenceRateHz);
        }
    }

    [Fact]
    public void Reconcile_CountsAgreeButGapsDiffer_RefusesSayingWhere()
    {
        // Own timestamps show a gap after frame 50; the pulses show one after pulse 70.
        double[] own = Enumerable.Range(0, 101).Select(s => s / Fps).Where((_, s) => s != 51).ToArray();
        double[] exposures = Enumerable.Range(0, 101).Select(s => 1 + (s / Fps)).Where((_, s) => s != 71).ToArray();

        var e = Assert.Throws<NeuroAlignException>(() =>
            StrobeSync.Reconcile(Strobes(exposures), new ExplicitClock(own), new StrobeOptions { Name = "video" }));

        Assert.StartsWith("video: frame and pulse counts agree (100 frames, 100 pulses (ephys line 1)) but not where frames are missing: they part at sample 51: pulse 51 comes 1 interval(s) after the one before, while its own clock puts it 2 after", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reconcile_OneHertzLineForAThirtyFpsVideo_RefusesWithBothRates()
    {
        double[] oneHertz = Enumerable.Range(0, 10).Select(i => 0.25 + i).ToArray();

        var e = Assert.Throws<NeuroAlignException>(() =>
            StrobeSync.Reconcile(Strobes(oneHertz, "ephys line 6"), new RegularClock(0, Fps, 300), new StrobeOptions { Name = "video" }));

        Assert.Equal(
            "video: frame and pulse counts cannot be reconciled: 300 frames, 10 pulses (ephys line 6); pulses come every 1000 ms but frames every 33.333 ms on their own clock: is it the right line?",
            e.Message);
    }

    [Fact]
    public void Reconcile_GlitchBetweenStrobes_RefusesPointingAtTheMinimumWidth()
    {
        double[] pulses = [.. Enumerable.Range(0, 50).Select(i => 1 + (i / Fps)), 1.5 + 0.001];
        Array.Sort(pulses);

        var e = Assert.Throws<NeuroAlignException>(() =>
            StrobeSync.Reconcile(Strobes(pulses), new RegularClock(0, Fps, 50), new StrobeOptions { Name = "video" }));

        Assert.Contains("a glitch or a second signal on the line (raise 'sync-min-width' to drop short pulses)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reconcile_FramesAfterTheLastPulse_RefusesUnlessAllowed()
    {
        // The strobe line was unplugged 5 frames before the video stopped: 5 frames have no pulse.
        double[] exposures = Enumerable.Range(0, 95).Select(i => 2 + (i / Fps)).ToArray();
        var clock = new RegularClock(0, Fps, 100);
        var options = new StrobeOptions { Name = "video", SkipLeadingPulses = 0 };

        var e = Assert.Throws<NeuroAlignException>(() => StrobeSync.Reconcile(Strobes(exposures), clock, options));
        ClockFit allowed = StrobeSync.Reconcile(Strobes(exposures), clock, options with { AllowCountMismatch = true });

        Assert.Equal(
            "video: 100 frames, 95 pulses (ephys line 1): frames 95 to 99 come after the last pulse used, so their times are unknown; give 'allow-count-mismatch' to extend the pulse grid over them",
            e.Message);
        Assert.Equal(5, allowed.SamplesWithoutPulse);
        Assert.Equal(2 + (99 / Fps), allowed.Map.ToReference(clock.TimeOf(99)), 3);
    }
}
