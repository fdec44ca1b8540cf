using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;
using NeuroAlign.Sync;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Sync;

public class PulseTrainTests
{
    private const double RateHz = 2500;

    /// <summary>A 2-channel recording at 2.5 kHz: channel 1 a digital word with the given lines.</summary>
    private static (InterleavedBinaryStream Stream, DigitalWordLineSet Lines) Record(
        TempFolder folder, double seconds, params (int Bit, LineSignal Signal)[] lines)
    {
        string path = folder.File("rec.dat");
        SyntheticSync.WriteRecording(path, 2, RateHz, (long)(seconds * RateHz), new DeviceClock(0, 0), lines);
        var stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 2, SampleRateHz: RateHz));
        var set = new DigitalWordLineSet("word", stream, 1, Enumerable.Range(0, 16).Select(b => (new DigitalLine(b, ""), b)));
        return (stream, set);
    }

    [Fact]
    public void FromLine_OneHertzSquareWave_GivesTheSampleTimeOfEachRisingEdge()
    {
        using var folder = new TempFolder();
        var (stream, lines) = Record(folder, 10, (6, SyntheticSync.SquareWave(1, 0.5, 0.25)));
        using (stream)
        {
            PulseTrain rising = PulseTrain.FromLine(lines, 6, EdgeKind.Rising, 0, "ephys");
            PulseTrain falling = PulseTrain.FromLine(lines, 6, EdgeKind.Falling, 0, "ephys");

            // Rising at 0.25 + n s: samples 625 + 2500 n; falling at 0.75 + n s: 1875 + 2500 n.
            Assert.Equal(Enumerable.Range(0, 10).Select(n => (625 + (2500.0 * n)) / RateHz), rising.Seconds);
            Assert.Equal(Enumerable.Range(0, 10).Select(n => (1875 + (2500.0 * n)) / RateHz), falling.Seconds);
            Assert.Equal(1 / RateHz, rising.ResolutionSeconds);
            Assert.Equal(1.0, rising.MedianIntervalSeconds, 12);
            Assert.Contains("ephys word line 6, rising edges", rising.Source, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void FromLine_ShortGlitchesBesideRealPulses_AreDroppedByTheMinimumWidth()
    {
        // Real strobes 10 ms wide every 100 ms; glitches of one or two samples (0.6 ms) halfway between.
        using var folder = new TempFolder();
        double[] strobes = Enumerable.Range(0, 20).Select(i => 0.10013 + (i * 0.1)).ToArray();
        double[] glitches = strobes.Select(t => t + 0.05).ToArray();
        LineSignal strobe = SyntheticSync.Pulses(strobes, 0.010), glitch = SyntheticSync.Pulses(glitches, 0.0006);
        var (stream, lines) = Record(folder, 2.2, (2, t => strobe(t) || glitch(t)));
        using (stream)
        {
            PulseTrain raw = PulseTrain.FromLine(lines, 2, EdgeKind.Rising, 0, "ephys");
            PulseTrain clean = PulseTrain.FromLine(lines, 2, EdgeKind.Rising, 0.001, "ephys");

            Assert.Equal(40, raw.Count);
            Assert.Equal(strobes.Select(t => Math.Ceiling((t * RateHz) - 1e-9) / RateHz), clean.Seconds);
        }
    }

    [Fact]
    public void FromLine_LineThatNeverChanges_ThrowsOneLineSayingSo()
    {
        using var folder = new TempFolder();
        var (stream, lines) = Record(folder, 1, (6, SyntheticSync.SquareWave(1, 0.5, 0.25)));
        using (stream)
        {
            var e = Assert.Throws<NeuroAlignException>(() => PulseTrain.FromLine(lines, 4, EdgeKind.Rising, 0, "ephys_1"));

            Assert.Equal("ephys_1 word line 4, rising edges: no pulses: the line is low throughout its 2500 samples", e.Message);
        }
    }

    [Fact]
    public void FromLine_OnlyGlitches_ThrowsNamingTheMinimumWidth()
    {
        using var folder = new TempFolder();
        var (stream, lines) = Record(folder, 1, (5, SyntheticSync.Pulses([0.20013, 0.50013], 0.0006)));
        using (stream)
        {
            var e = Assert.Throws<NeuroAlignException>(() => PulseTrain.FromLine(lines, 5, EdgeKind.Rising, 0.002, "ephys"));

            Assert.Contains("its 2 rising edge(s) all belong to pulses shorter than the minimum width 2 ms", e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        }
    }

    [Fact]
    public void FromLine_NoSuchLine_ThrowsListingTheLines()
    {
        using var folder = new TempFolder();
        var (stream, lines) = Record(folder, 1);
        using (stream)
        {
            var e = Assert.Throws<NeuroAlignException>(() => PulseTrain.FromLine(lines, 16, EdgeKind.Rising, 0, "ephys"));

            Assert.Contains("digital line 16 does not exist", e.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("pulses.txt", "# strobe times\n0.5\n1.25\n\n2.0\n")]
    [InlineData("pulses.csv", "frame,time\n0,0.5\n1,1.25\n2,2.0\n")]
    [InlineData("pulses.tsv", "onset\tduration\n0.5\t0.01\n1.25\t0.01\n2.0\t0.01\n")]
    public void FromFile_TextAndCsv_ReadsTheTimes(string name, string contents)
    {
        using var folder = new TempFolder();
        string path = folder.File(name);
        File.WriteAllText(path, contents);

        PulseTrain train = PulseTrain.FromFile(path);

        Assert.Equal([0.5, 1.25, 2.0], train.Seconds);
        Assert.Null(train.ResolutionSeconds);
    }

    [Fact]
    public void FromFile_Npy_ReadsFloatSecondsAndDropsPulsesWithinTheMinimumWidth()
    {
        using var folder = new TempFolder();
        string path = folder.File("pulses.npy");
        NpyWriter.WriteFloat64(path, [0.5, 0.5002, 1.5, 2.5]);

        PulseTrain train = PulseTrain.FromFile(path, minimumWidthSeconds: 0.001);

        Assert.Equal([0.5, 1.5, 2.5], train.Seconds);
    }

    [Fact]
    public void FromFile_TimesGoingBack_ThrowsNamingThePulse()
    {
        using var folder = new TempFolder();
        string path = folder.File("pulses.txt");
        File.WriteAllText(path, "1\n2\n1.5\n");

        var e = Assert.Throws<InvalidRecordingException>(() => PulseTrain.FromFile(path));

        Assert.Equal($"{path}: pulse 2: found 1.5 s after 2 s, expected strictly increasing pulse times", e.Message);
    }

    [Fact]
    public void FromFile_NotANumber_ThrowsNamingTheLine()
    {
        using var folder = new TempFolder();
        string path = folder.File("pulses.txt");
        File.WriteAllText(path, "1\nabc\n");

        var e = Assert.Throws<InvalidRecordingException>(() => PulseTrain.FromFile(path));

        Assert.Contains("line 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromFile_NATime_RefusedNamingTheLine()
    {
        using var folder = new TempFolder();
        string path = folder.File("pulses.csv");
        File.WriteAllText(path, "time\n1\nn/a\n3\n");

        var e = Assert.Throws<InvalidRecordingException>(() => PulseTrain.FromFile(path));

        Assert.Equal($"{path}: line 3, column 1 (time): found 'n/a', expected a finite number of seconds", e.Message);
    }
}
