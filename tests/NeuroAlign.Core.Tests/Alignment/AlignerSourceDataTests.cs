using System.Runtime.InteropServices;
using NeuroAlign.Alignment;
using NeuroAlign.Filtering;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Memory;
using NeuroAlign.Streams;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Alignment;

/// <summary>Windows handed to sinks that take the recording's memory instead of a copy.</summary>
[Collection(ProcessMemoryCollection.Name)]
public sealed class AlignerSourceDataTests
{
    private const int Channels = 8;

    /// <summary>A sink that takes source data and keeps, per window, what it was given.</summary>
    private sealed class SourceSink : IAlignedSink
    {
        public List<(byte[]? Source, short[] Data, long[] SourceIndex)> Windows { get; } = [];

        public bool TakesSourceData => true;

        public void Begin(ExportLayout layout)
        {
        }

        public void Write(int windowIndex, int modalityIndex, WindowBuffer window) =>
            Windows.Add((window.SourceData.IsEmpty ? null : window.SourceData.ToArray(), ((short[])window.Data).ToArray(), window.SourceIndex.ToArray()));

        public void Complete()
        {
        }

        public void Dispose()
        {
        }
    }

    /// <summary>Half-second windows at <paramref name="times"/> of a 3 s, 1 kHz, 8-channel raw recording, into a <see cref="SourceSink"/>.</summary>
    private static SourceSink Export(double[] times)
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 3000, Channels);
        using InterleavedBinaryStream stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: Channels, SampleRateHz: 1000));
        var aligned = new AlignedStream("ephys", stream, ClockMap.Identity, new SamplingGrid(0, 0.5, 1000), IndexMode.Previous);
        var sink = new SourceSink();
        Aligner.Run([aligned], times, sink, new Dictionary<string, object>());
        return sink;
    }

    private static short[] Expected(long firstSample, int samples) =>
        Enumerable.Range(0, samples * Channels).Select(i => SyntheticEphys.Value(firstSample + (i / Channels), i % Channels)).ToArray();

    [Fact]
    public void Run_WindowInsideTheRecording_GivenAsTheMappedBytesAndDataLeftUnfilled()
    {
        SourceSink sink = Export([0.25, 2.0]);

        Assert.Equal(2, sink.Windows.Count);
        Assert.Equal(Expected(250, 500), MemoryMarshal.Cast<byte, short>(sink.Windows[0].Source).ToArray());
        Assert.Equal(Expected(2000, 500), MemoryMarshal.Cast<byte, short>(sink.Windows[1].Source).ToArray());
        Assert.All(sink.Windows, w => Assert.All(w.Data, v => Assert.Equal(0, v)));
        Assert.Equal(Enumerable.Range(250, 500).Select(i => (long)i), sink.Windows[0].SourceIndex);
    }

    [Fact]
    public void Run_WindowPartlyOutside_DataCopiedWithZerosOutside()
    {
        SourceSink sink = Export([2.75]);

        (byte[]? source, short[] data, _) = sink.Windows[0];
        Assert.Null(source);
        Assert.Equal(Expected(2750, 250), data[..(250 * Channels)]);
        Assert.All(data[(250 * Channels)..], v => Assert.Equal(0, v));
    }

    [Theory]
    [InlineData("filter")]
    [InlineData("linear")]
    [InlineData("not native rate")]
    [InlineData("microvolts")]
    public void Run_OutputNotTheStoredSamples_DataCopied(string why)
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 3000, Channels);
        using InterleavedBinaryStream raw = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: Channels, SampleRateHz: 1000));
        ISampleStream stream = why == "microvolts" ? new MicrovoltStream(raw) : raw;
        CompiledFilter? filter = why == "filter"
            ? FilterSet.Parse(["signal > 0"]).Compile(FilterTarget.ForStream(TestScopes.Stream(ModalityKind.Ephys), raw, raw.ElementType))
            : null;
        var grid = new SamplingGrid(0, 0.5, why == "not native rate" ? 500 : 1000);
        var aligned = new AlignedStream("ephys", stream, ClockMap.Identity, grid, why == "linear" ? IndexMode.Linear : IndexMode.Previous, filter: filter);
        var sink = new SourceSinkAnyType();

        Aligner.Run([aligned], [1.0], sink, new Dictionary<string, object>());

        Assert.False(sink.SawSourceData);
        Assert.True(sink.SawNonZeroData);
    }

    [Slow]
    [RequiresFact(Needs.ProcStatus)]
    public void Run_SinkReleasingWhatItWrote_ResidentSizeStaysFlat()
    {
        // 256 MB of 64-channel int16 at 1 kHz, 1 s windows over all of it, each window "written"
        // (read whole) by the sink and then released, as the HDF5 sink's writer thread does.
        using var folder = new TempFolder();
        string path = folder.File("long.dat");
        SyntheticEphys.WriteInt16(path, 2_000_000, 64);
        using InterleavedBinaryStream stream = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 64, SampleRateHz: 1000));
        var aligned = new AlignedStream("ephys", stream, ClockMap.Identity, new SamplingGrid(0, 1, 1000), IndexMode.Previous);
        var sink = new ReadingSink();
        long before = ProcStatus.RssFileKiB();

        Aligner.Run([aligned], Enumerable.Range(0, 2000).Select(w => (double)w).ToArray(), sink, new Dictionary<string, object>());
        long grownMiB = (ProcStatus.RssFileKiB() - before) / 1024;

        Assert.Equal(2000, sink.SourceWindows);
        Assert.True(grownMiB < 64, $"mapped pages resident after the pass grew by {grownMiB} MiB over a 256 MB recording");
    }

    private sealed class SourceSinkAnyType : IAlignedSink
    {
        public bool SawSourceData { get; private set; }

        public bool SawNonZeroData { get; private set; }

        public bool TakesSourceData => true;

        public void Begin(ExportLayout layout)
        {
        }

        public void Write(int windowIndex, int modalityIndex, WindowBuffer window)
        {
            SawSourceData |= !window.SourceData.IsEmpty;
            SawNonZeroData |= window.DataBytes.ContainsAnyExcept((byte)0);
        }

        public void Complete()
        {
        }

        public void Dispose()
        {
        }
    }

    private sealed class ReadingSink : IAlignedSink
    {
        public int SourceWindows { get; private set; }

        public bool TakesSourceData => true;

        public void Begin(ExportLayout layout)
        {
        }

        public void Write(int windowIndex, int modalityIndex, WindowBuffer window)
        {
            long sum = 0;
            ReadOnlySpan<byte> bytes = window.SourceData.Span;
            for (int i = 0; i < bytes.Length; i += 512)
            {
                sum += bytes[i];
            }

            SourceWindows += window.SourceData.IsEmpty ? 0 : 1;
            MappedFile.ReleaseMemory(window.SourceData);
            GC.KeepAlive(sum);
        }

        public void Complete()
        {
        }

        public void Dispose()
        {
        }
    }
}
