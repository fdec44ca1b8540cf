using NeuroAlign.Alignment;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;
using NeuroAlign.Sync;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Sync;

/// <summary>
/// A ten-minute session with known truth, aligned end to end through the Aligner: a reference probe
/// recording the 1 Hz sync wave, a camera strobe and scanner triggers on bits of its digital word; a
/// second probe 20 ppm slow sharing the sync wave; a 30 fps camera 80 ppm fast starting 0.3 s in
/// that skips 1 % of its exposures; a scanner with TR 2 s and 4 dummy triggers. Both probes sample
/// at 2.5 kHz (not 30 kHz) to keep the files at 6 MB: sync needs edges, and a 2.5 kHz edge is still
/// 0.4 ms sharp, well inside a 33 ms frame; the drift figures (20 ppm = 30 samples at 2.5 kHz after
/// ten minutes) are the same at any rate.
/// </summary>
public sealed class SyncSessionTests : IDisposable
{
    private const double RateHz = 2500;
    private const double Seconds = 600;
    private const double Fps = 30;
    private const double TrSeconds = 2;
    private const int DummyScans = 4;
    private const int SyncBit = 6, StrobeBit = 1, TriggerBit = 2;

    private static readonly DeviceClock Reference = new(0, 0);
    private static readonly DeviceClock Probe2 = new(0.0021, -20);
    private static readonly DeviceClock Camera = new(0.3, 80);
    private static readonly DeviceClock Scanner = new(3.7, 25);

    private readonly TempFolder _folder = new();
    private readonly double[] _frames;
    private readonly double[] _triggers;
    private readonly InterleavedBinaryStream _reference;
    private readonly InterleavedBinaryStream _probe2;

    public SyncSessionTests()
    {
        _frames = SyntheticSync.CameraFrames(Camera, Fps, (int)((Seconds - 1) * Fps), 0.01, seed: 5, out _);
        _triggers = Enumerable.Range(0, 290 + DummyScans).Select(i => Scanner.ReferenceOf(i * TrSeconds)).ToArray();
        // The sync generator has its own crystal (3.7 ppm off the reference's): its edges fall at every
        // phase of each probe's sample period, so neither probe's quantisation biases the fit.
        LineSignal sync = SyntheticSync.SquareWave(1.0000037, 0.5, 0.25);
        string referencePath = _folder.File("probe0.dat"), probe2Path = _folder.File("probe1.dat");
        SyntheticSync.WriteRecording(referencePath, 2, RateHz, (long)(Seconds * RateHz), Reference,
            [(SyncBit, sync), (StrobeBit, SyntheticSync.Pulses(_frames, 0.004)), (TriggerBit, SyntheticSync.Pulses(_triggers, 0.010))]);
        SyntheticSync.WriteRecording(probe2Path, 2, RateHz, (long)(Seconds * RateHz), Probe2, [(SyncBit, sync)]);
        _reference = RawBinaryReader.Open(referencePath, new RawBinaryOptions(ChannelCount: 2, SampleRateHz: RateHz));
        _probe2 = RawBinaryReader.Open(probe2Path, new RawBinaryOptions(ChannelCount: 2, SampleRateHz: RateHz));
    }

    public void Dispose()
    {
        _reference.Dispose();
        _probe2.Dispose();
        _folder.Dispose();
    }

    private static DigitalWordLineSet Word(InterleavedBinaryStream stream) =>
        new("word", stream, 1, Enumerable.Range(0, 16).Select(b => (new DigitalLine(b, ""), b)));

    [Slow]
    [Fact]
    public void Align_TenMinuteSession_CorrectedMapsPickTheTrueSampleFrameAndVolumeInEveryWindow()
    {
        var referenceLines = Word(_reference);
        var videoClock = new RegularClock(0, Fps, _frames.Length);
        var fmriClock = new RegularClock(0, 1 / TrSeconds, _triggers.Length - DummyScans);
        using var video = new IndexStream(videoClock, "video");
        using var fmri = new IndexStream(fmriClock, "nifti");

        PulseTrain referenceSync = PulseTrain.FromLine(referenceLines, SyncBit, EdgeKind.Rising, 0.001, "ephys");
        ClockFit probeFit = SharedPulseSync.Fit("ephys_1", PulseTrain.FromLine(Word(_probe2), SyncBit, EdgeKind.Rising, 0.001, "ephys_1"), referenceSync, priorOffsetSeconds: 0);
        ClockFit videoFit = StrobeSync.Reconcile(
            PulseTrain.FromLine(referenceLines, StrobeBit, EdgeKind.Rising, 0.001, "ephys"), videoClock, new StrobeOptions { Name = "video" });
        ClockFit fmriFit = StrobeSync.Reconcile(
            PulseTrain.FromLine(referenceLines, TriggerBit, EdgeKind.Rising, 0.001, "ephys"),
            fmriClock,
            new StrobeOptions { Name = "fmri", SampleNoun = "volume", Method = "trigger", ExtraPulsesLead = true });

        double[] times = WindowTimes();
        var grid = new SamplingGrid(0.1, 0.2, RateHz);
        var streams = new[]
        {
            new AlignedStream("ephys", _reference, ClockMap.Identity, grid, IndexMode.Previous),
            new AlignedStream("ephys_1", _probe2, probeFit.Map, grid, IndexMode.Previous),
            new AlignedStream("video", video, videoFit.Map, new SamplingGrid(0.1, 0.2, Fps), IndexMode.Previous),
            new AlignedStream("fmri", fmri, fmriFit.Map, new SamplingGrid(0.1, 0.2, 1 / TrSeconds), IndexMode.Previous),
        };
        var sink = new MemorySink();
        Aligner.Run(streams, times, sink, new Dictionary<string, object>());

        Assert.Equal("linear", probeFit.Method);
        Assert.Equal(20, probeFit.DriftPpm, 0);
        Assert.Equal(DummyScans, fmriFit.LeadingPulsesSkipped);
        for (int w = 0; w < times.Length; w++)
        {
            long[] probeIndex = sink.Windows[1][w].SourceIndex;
            long[] frameIndex = sink.Windows[2][w].SourceIndex;
            for (int j = 0; j < grid.PointCount; j++)
            {
                double t = grid.TimeAt(times[w], j);
                Assert.Equal(TrueProbe2Sample(t), probeIndex[j]);
                Assert.Equal((long)Math.Floor((t * RateHz) + 1e-6), sink.Windows[0][w].SourceIndex[j]);
            }

            for (int j = 0; j < frameIndex.Length; j++)
            {
                Assert.Equal(TrueFrame(streams[2].Grid.TimeAt(times[w], j)), frameIndex[j]);
            }

            Assert.Equal(TrueVolume(times[w] - 0.1), sink.Windows[3][w].SourceIndex[0]);

            // The data read are the samples named: the probe's channel 0 holds its sample index.
            short[] probeData = (short[])sink.Windows[1][w].Data;
            Assert.Equal(SyntheticSync.DataValue(probeIndex[0]), probeData[0]);
        }

        // Without sync, taking each stream's nominal clock as the reference's (the camera's even with
        // its 0.3 s start known), the last window is more than a frame and a sample off the truth.
        double last = times[^1];
        Assert.True(Math.Abs((long)Math.Floor((last - 0.3) * Fps) - TrueFrame(last)) > 1);
        Assert.True(Math.Abs((long)Math.Floor(last * RateHz) - TrueProbe2Sample(last)) > 1);
    }

    /// <summary>
    /// Twenty window times across the session, each placed halfway between two camera exposures and
    /// at the middle of a probe-2 sample period, so the truth is unambiguous to half a frame and half
    /// a sample: the test asks for the right sample, not for luck at a boundary.
    /// </summary>
    private double[] WindowTimes()
    {
        var times = new List<double>();
        for (int w = 0; w < 20; w++)
        {
            double target = 5 + (w * 29.3);
            int k = Array.FindLastIndex(_frames, f => f <= target);
            double t = (_frames[k] + _frames[k + 1]) / 2;

            // Move t (by under half a sample) to the middle of a probe-2 sample period, for the window's start.
            double position = Probe2.OwnOf(t - 0.1) * RateHz;
            t += (0.5 - (position - Math.Floor(position))) / RateHz;
            times.Add(t);
        }

        return [.. times];
    }

    private static long TrueProbe2Sample(double t) => (long)Math.Floor(Probe2.OwnOf(t) * RateHz);

    private long TrueFrame(double t) => Array.FindLastIndex(_frames, f => f <= t);

    /// <summary>The volume acquired at or before t; -1 before the first recorded volume (dummy scans come first).</summary>
    private long TrueVolume(double t) => Math.Max(-1, Array.FindLastIndex(_triggers, s => s <= t) - DummyScans);
}
