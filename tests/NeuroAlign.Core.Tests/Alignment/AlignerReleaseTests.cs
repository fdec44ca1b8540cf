using NeuroAlign.Alignment;
using NeuroAlign.Formats;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Alignment;

[Collection(ProcessMemoryCollection.Name)]
public class AlignerReleaseTests
{
    /// <summary>A 1 kHz one-channel stream that records which samples it was told it may drop.</summary>
    private sealed class ReleaseLog(long samples) : ISampleStream
    {
        public List<(long Start, long Count)> Released { get; } = [];

        public string SourcePath => "release-log";

        public string FormatName => "synthetic";

        public SampleClock Clock { get; } = new RegularClock(0, 1000, samples);

        public SampleType ElementType => SampleType.Int16;

        public IReadOnlyList<int> SampleShape => [1];

        public IReadOnlyList<KeyValuePair<string, string>> Details => [];

        public void ReadSamples(ReadOnlySpan<long> indices, Span<byte> destination) => destination[..(indices.Length * 2)].Clear();

        public void ReleaseSamples(long startSample, long sampleCount) => Released.Add((startSample, sampleCount));

        public void Dispose()
        {
        }
    }

    private static List<(long, long)> Released(double[] times, double before, double after, IndexMode mode = IndexMode.Previous)
    {
        using var stream = new ReleaseLog(10_000);
        var aligned = new AlignedStream("ephys", stream, ClockMap.Identity, new SamplingGrid(before, after, 1000), mode);
        Aligner.Run([aligned], times, new MemorySink(), new Dictionary<string, object>());
        return stream.Released;
    }

    [Fact]
    public void Run_WindowsInTimeOrder_ReleasesEachWindowOnceTheNextIsRead()
    {
        Assert.Equal([(0L, 1000L), (1000L, 1000L)], Released([0, 1, 2], before: 0, after: 1));
    }

    [Fact]
    public void Run_OverlappingWindows_ReleasesOnlyWhatTheNextDoesNotUse()
    {
        // Windows [0, 1) and [0.5, 1.5) s share samples 500..999: only 0..499 may go.
        Assert.Equal([(0L, 500L), (500L, 500L)], Released([0, 0.5, 1.0], before: 0, after: 1));
    }

    [Fact]
    public void Run_WindowGoingBackInTime_ReleasesNothingItNeeds()
    {
        // The window at 1 s comes after the one at 3 s: nothing is released then. Only the window
        // just before is tracked, so the one at 3 s stays mapped (a hint missed, never a page lost).
        Assert.Equal([(1000L, 1000L)], Released([3, 1, 5], before: 0, after: 1));
    }

    [Fact]
    public void Run_LinearMode_KeepsTheUpperNeighbourOfTheLastPoint()
    {
        // 0.5 ms offset: each point interpolates between samples k and k + 1, so window [0, 1) reads 0..1000.
        Assert.Equal([(0L, 1001L)], Released([0.0005, 2.0005], before: 0, after: 1, IndexMode.Linear));
    }

    [Slow]
    [RequiresTheory(Needs.ProcStatus)]
    [InlineData("raw")]
    [InlineData("ephys reader, microvolts, channel subset")]
    public void Run_LongMappedRecording_ResidentSizeStaysNearOneWindow(string how)
    {
        // 256 MB of 64-channel int16 at 1 kHz (2000 s); 1 s windows over all of it. Every view the
        // CLI puts between the mapping and the aligner must pass the hint on.
        using var folder = new TempFolder();
        string path = folder.File("long.dat");
        const long samples = 2_000_000;
        SyntheticEphys.WriteInt16(path, samples, 64);
        var raw = new RawBinaryOptions(ChannelCount: 64, SampleRateHz: 1000);
        using ContinuousStream stream = how == "raw"
            ? RawBinaryReader.Open(path, raw)
            : new MicrovoltStream(EphysReader.Open(path, new EphysOpenOptions { Raw = raw })).SelectChannels([3, 60]);
        var aligned = new AlignedStream("ephys", stream, ClockMap.Identity, new SamplingGrid(0, 1, 1000), IndexMode.Previous);
        long before = ProcStatus.RssFileKiB();

        Aligner.Run([aligned], Enumerable.Range(0, 2000).Select(w => (double)w).ToArray(), new NullSink(), new Dictionary<string, object>());
        long grownMiB = (ProcStatus.RssFileKiB() - before) / 1024;

        // Without releasing, every page of the 256 MB file stays mapped into the process.
        Assert.True(grownMiB < 64, $"mapped pages resident after the pass grew by {grownMiB} MiB over a 256 MB recording");
    }

    private sealed class NullSink : IAlignedSink
    {
        public void Begin(ExportLayout layout)
        {
        }

        public void Write(int windowIndex, int modalityIndex, WindowBuffer window)
        {
        }

        public void Complete()
        {
        }

        public void Dispose()
        {
        }
    }
}
