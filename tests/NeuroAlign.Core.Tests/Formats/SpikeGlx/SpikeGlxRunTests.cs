using System.Runtime.InteropServices;
using NeuroAlign.Alignment;
using NeuroAlign.Formats;
using NeuroAlign.Streams;
using NeuroAlign.TestData;
using NeuroAlign.Time;
using static NeuroAlign.TestData.SyntheticSpikeGlxRun;

namespace NeuroAlign.Core.Tests.Formats.SpikeGlx;

/// <summary>Three triggers of one gate with gaps of 200 and 600 samples, read as one run; the truth is the run's counter.</summary>
public sealed class SpikeGlxRunConformanceTests : SampleStreamConformance<EphysRecording>
{
    public static readonly RunFile[] ThreeTriggers = [new(0, 0, 1000, 300), new(0, 1, 1500, 500), new(0, 2, 2600, 400)];

    private readonly TempFolder _folder = new();
    private readonly Lazy<string> _root;

    public SpikeGlxRunConformanceTests() => _root = new(() =>
    {
        Write(_folder.Path, "rec", ThreeTriggers);
        return Path.Combine(_folder.Path, "rec_g0");
    });

    protected override Needs Needs => Needs.SharedData;

    protected override long ExpectedSampleCount => 1200;

    protected override string ExpectedFormatName => "spikeglx";

    protected override SampleType ExpectedElementType => SampleType.Int16;

    protected override IReadOnlyList<int> ExpectedSampleShape => [Channels];

    protected override bool ExpectsSourceMemory => true;

    /// <summary>The counter value of stream sample k: the files' samples back to back.</summary>
    public static long CounterOf(long k)
    {
        foreach (RunFile f in ThreeTriggers)
        {
            if (k < f.Samples)
            {
                return f.FirstSample + k;
            }

            k -= f.Samples;
        }

        throw new ArgumentOutOfRangeException(nameof(k));
    }

    protected override EphysRecording OpenStream() => EphysReader.Open(_root.Value, new EphysOpenOptions());

    protected override void ExpectedSample(long index, Span<byte> destination)
    {
        Span<short> values = MemoryMarshal.Cast<byte, short>(destination);
        for (int c = 0; c < Channels; c++)
        {
            values[c] = Value(CounterOf(index), c);
        }
    }

    protected override double ExpectedTimeSeconds(long index) => CounterOf(index) / RateHz;

    protected override bool IsFollowedWithoutGap(long index) => CounterOf(index + 1) == CounterOf(index) + 1;

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _folder.Dispose();
    }
}

public class SpikeGlxRunTests
{
    private static EphysRecording OpenRun(string path) => EphysReader.Open(path, new EphysOpenOptions { Run = true });

    [RequiresFact(Needs.SharedData)]
    public void Aligner_WindowAcrossAGap_IsMinusOneAndZerosExactlyInsideIt()
    {
        // Trigger t0 ends at counter 1300, t1 starts at 1500: a window from 1250 to 1550 (ms at 30 kHz: samples) crosses the gap.
        using var folder = new TempFolder();
        Write(folder.Path, "rec", SpikeGlxRunConformanceTests.ThreeTriggers);
        using EphysRecording run = EphysReader.Open(folder.Path, new EphysOpenOptions());
        var aligned = new AlignedStream("ephys", run, ClockMap.Identity, new SamplingGrid(0, 300 / RateHz, RateHz), IndexMode.Previous);
        var sink = new MemorySink();

        AlignmentSummary summary = Aligner.Run([aligned], [1250 / RateHz], sink, new Dictionary<string, object>());

        var (data, _, sourceIndex, sourceTime) = sink.Windows[0][0];
        short[] values = (short[])data;
        Assert.Equal(200, summary.Modalities[0].SamplesOutside);
        for (int k = 0; k < 300; k++)
        {
            long counter = 1250 + k;
            bool inGap = counter is >= 1300 and < 1500;
            long expectedIndex = inGap ? -1 : counter < 1300 ? counter - 1000 : 300 + (counter - 1500);
            Assert.Equal(expectedIndex, sourceIndex[k]);
            Assert.Equal(inGap, double.IsNaN(sourceTime[k]));
            for (int c = 0; c < Channels; c += 48)
            {
                Assert.Equal(inGap ? (short)0 : Value(counter, c), values[(k * Channels) + c]);
            }
        }
    }

    [RequiresFact(Needs.SharedData)]
    public void Linear_AtTheLastSampleBeforeAGap_DoesNotInterpolateAcrossIt()
    {
        using var folder = new TempFolder();
        Write(folder.Path, "rec", SpikeGlxRunConformanceTests.ThreeTriggers);
        using EphysRecording run = EphysReader.Open(folder.Path, new EphysOpenOptions());

        // Half a sample after t0's last sample (counter 1299): inside the file's last period, no neighbour to its right.
        Assert.Equal(new SampleLocation(299, 0), run.Clock.Locate(1299.5 / RateHz, IndexMode.Linear));
        Assert.True(run.Clock.Locate(1300.5 / RateHz, IndexMode.Previous).IsOutside);
        Assert.Equal(299, run.Clock.IndexAtOrBefore(1400 / RateHz));
        Assert.Equal(new SampleLocation(300, 0), run.Clock.Locate(1500 / RateHz, IndexMode.Nearest));
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_GatesInFoldersFromOneFile_ReadsEveryGateAndTrigger_AndInfoShowsTheGaps()
    {
        using var folder = new TempFolder();
        string[] bins = Write(folder.Path, "mouse1", [new(0, 0, 0, 100), new(0, 1, 100, 50), new(1, 0, 9000, 70)]);

        using EphysRecording run = OpenRun(bins[1]);

        Assert.Equal(220, run.SampleCount);
        Assert.Equal(9000 / RateHz, run.Clock.TimeOf(150));
        Assert.Equal(0, run.Clock.TimeOf(0));
        var details = run.Details.ToDictionary(d => d.Key, d => d.Value);
        Assert.Contains("3 file(s) in 2 gate(s): g0 t0–t1, g1 t0", details["run"]);
        Assert.StartsWith("1 gap(s), 8850 samples (0.295 s)", details["run gaps"]);
        Assert.Contains("before g1 t0", details["run gaps"]);
        var block = new short[Channels * 2];
        run.ReadBlock(149, 2, MemoryMarshal.AsBytes(block.AsSpan()));
        Assert.Equal(Value(149, 5), block[5]);
        Assert.Equal(Value(9000, 5), block[Channels + 5]);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_FlatLayoutFromAFolderOfTwoStreams_IsOneLineNamingThem()
    {
        using var folder = new TempFolder();
        Write(folder.Path, "rec", [new(0, 0, 0, 10)], flat: true);
        Write(folder.Path, "rec", [new(0, 0, 0, 10)], flat: true, stream: "imec0.lf");

        var e = Assert.Throws<NeuroAlignException>(() => EphysReader.Open(folder.Path, new EphysOpenOptions()));

        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("2 SpikeGLX streams (rec imec0.ap, rec imec0.lf)", e.Message);

        using EphysRecording ap = OpenRun(Path.Combine(folder.Path, "rec_g0_t0.imec0.ap.bin"));
        Assert.Equal(10, ap.SampleCount);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_TriggerMissingInTheMiddle_IsOneLineNamingIt()
    {
        using var folder = new TempFolder();
        string[] bins = Write(folder.Path, "rec", [new(0, 0, 0, 10), new(0, 1, 20, 10), new(0, 3, 60, 10)], flat: true);

        var e = Assert.Throws<InvalidRecordingException>(() => OpenRun(bins[0]));

        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("triggers t1 and t3 without t2 (rec_g0_t2.imec0.ap.bin not found)", e.Message);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_FirstSampleGoingBackwards_IsOneLineNamingTheFile()
    {
        using var folder = new TempFolder();
        string[] bins = Write(folder.Path, "rec", [new(0, 0, 500, 10), new(0, 1, 100, 10)], flat: true);

        var e = Assert.Throws<InvalidRecordingException>(() => OpenRun(bins[0]));

        Assert.StartsWith(Path.ChangeExtension(bins[1], ".meta") + ": key 'firstSample': found 100, before rec_g0_t0.imec0.ap.bin's 500", e.Message);
        Assert.Contains("going backwards", e.Message);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_OverlappingFiles_IsOneLineWithTheOverlap()
    {
        using var folder = new TempFolder();
        string[] bins = Write(folder.Path, "rec", [new(0, 0, 100, 50), new(1, 0, 120, 10)], flat: true);

        var e = Assert.Throws<InvalidRecordingException>(() => OpenRun(bins[1]));

        Assert.Contains("found 120, inside rec_g0_t0.imec0.ap.bin (samples 100 to 149 on the run's counter)", e.Message);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_FileOfADifferentRate_IsRefused()
    {
        using var folder = new TempFolder();
        string[] bins = Write(folder.Path, "rec", [new(0, 0, 0, 10), new(0, 1, 10, 10)], flat: true);
        string meta = Path.ChangeExtension(bins[1], ".meta");
        File.WriteAllLines(meta, File.ReadAllLines(meta).Select(l => l.StartsWith("imSampRate=", StringComparison.Ordinal) ? "imSampRate=30000.5" : l));

        var e = Assert.Throws<InvalidRecordingException>(() => OpenRun(bins[0]));

        Assert.Contains("key 'imSampRate': found '30000.5', expected '30000'", e.Message);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_CatGtFolder_IsOneFileFromItsFirstSample_AndInfoSaysCatGt()
    {
        // catgt.meta: CatGT output of run 77.230125_2023-04-27 g0 t0, firstSample 48994605 at 30000.149579831934 Hz.
        using var folder = new TempFolder();
        string probe = Path.Combine(folder.Path, "catgt_77.230125_2023-04-27_g0", "77.230125_2023-04-27_g0_imec0");
        Directory.CreateDirectory(probe);
        SyntheticSpikeGlx.CopyMeta(probe, "catgt.meta", baseName: "77.230125_2023-04-27_g0_tcat.imec0.ap");
        SyntheticSpikeGlx.WriteBin(Path.Combine(probe, "77.230125_2023-04-27_g0_tcat.imec0.ap.bin"), 40, 385, syncColumn: 384);

        foreach (string path in new[] { Path.Combine(folder.Path, "catgt_77.230125_2023-04-27_g0"), Path.Combine(probe, "77.230125_2023-04-27_g0_tcat.imec0.ap.bin") })
        {
            using EphysRecording recording = OpenRun(path);

            Assert.Equal(48994605 / 30000.149579831934, recording.Clock.StartSeconds);
            Assert.IsType<RegularClock>(recording.Clock);
            Assert.Equal(40, recording.SampleCount);
            string catGt = recording.Details.Single(d => d.Key == "CatGT output").Value;
            Assert.StartsWith("1 file(s), gates 0–0, triggers 0–0 joined into one file", catGt);
        }
    }

    [Fact]
    public void Open_RunOfAFileNotNamedAsSpikeGlxDoes_IsOneLine()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("x.meta"), "typeThis=imec\n");
        File.WriteAllBytes(folder.File("x.bin"), new byte[4]);

        var e = Assert.Throws<NeuroAlignException>(() => OpenRun(folder.File("x.bin")));

        Assert.Contains("does not follow SpikeGLX's RUN_gN_tM.STREAM.bin", e.Message);
    }
}

public class SegmentedClockTests
{
    [Fact]
    public void Clock_TimesInAGap_AreOutside_AndEachStretchIsItsRegularClock()
    {
        var clock = new SegmentedClock(1000, [new ClockSegment(10, 5), new ClockSegment(20, 3), new ClockSegment(23, 2)]);

        Assert.Equal(10, clock.SampleCount);
        Assert.Equal(new RegularClock(0.020, 1000, 3).TimeOf(1), clock.TimeOf(6));
        Assert.Equal(0.025, clock.EndSeconds, 12);
        Assert.True(clock.Locate(0.0152, IndexMode.Previous).IsOutside);
        Assert.True(clock.Locate(0.0199, IndexMode.Nearest).IsOutside);
        Assert.Equal(new SampleLocation(4, 0), clock.Locate(0.0145, IndexMode.Linear));
        Assert.Equal(4, clock.IndexAtOrBefore(0.0199));

        // Back-to-back stretches (no gap) interpolate across their boundary as one clock does.
        Assert.Equal(7, clock.Locate(0.0225, IndexMode.Linear).Index);
        Assert.Equal(0.5, clock.Locate(0.0225, IndexMode.Linear).Fraction, 9);
        Assert.Contains("1 gap(s) totalling 5 samples", clock.Describe());
    }

    [Fact]
    public void Clock_OverlappingStretches_AreRefused()
    {
        Assert.Throws<ArgumentException>(() => new SegmentedClock(1000, [new ClockSegment(10, 5), new ClockSegment(14, 3)]));
    }
}
