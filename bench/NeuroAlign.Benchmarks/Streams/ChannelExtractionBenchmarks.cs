using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;

namespace NeuroAlign.Benchmarks.Streams;

/// <summary>
/// One channel of a whole multi-GB 384-channel int16 recording in the page cache (a strided read:
/// 2 bytes of every 768), against the plain loop over the mapped windows. numpy's
/// <c>np.array(memmap[:, c])</c> on the same file is the "channel" task of bench/peers/compare.py.
/// </summary>
[MemoryDiagnoser]
public class ChannelExtractionBenchmarks
{
    private const int Channels = 384;
    private const int Channel = 100;
    private InterleavedBinaryStream _recording = null!;
    private ContinuousStream _oneChannel = null!;
    private short[] _values = null!;

    /// <summary>180 s: 4.1 GB; 60 s: 1.4 GB.</summary>
    [Params(60, 180)]
    public int RecordingSeconds { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string path = BenchFiles.RealisticRecording(RecordingSeconds);
        _recording = RawBinaryReader.Open(path, new RawBinaryOptions());
        _oneChannel = RawBinaryReader.Open(path, new RawBinaryOptions()).SelectChannels([Channel]);
        _values = new short[_recording.SampleCount];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _recording.Dispose();
        _oneChannel.Dispose();
    }

    [Benchmark(Baseline = true, Description = "plain loop over mapped 1 s windows: values[k] = window[k * 384 + c]")]
    public short PlainLoop()
    {
        const int Step = 30_000;
        for (long start = 0; start < _recording.SampleCount; start += Step)
        {
            int count = (int)Math.Min(Step, _recording.SampleCount - start);
            ReadOnlySpan<short> window = _recording.GetWindow<short>(start, count);
            Span<short> target = _values.AsSpan((int)start, count);
            for (int k = 0; k < count; k++)
            {
                target[k] = window[(k * Channels) + Channel];
            }
        }

        return _values[^1];
    }

    [Benchmark(Description = "SelectChannels([c]).ReadBlock over the whole file")]
    public short ChannelSubset()
    {
        _oneChannel.ReadBlock(0, _values.Length, MemoryMarshal.AsBytes(_values.AsSpan()));
        return _values[^1];
    }
}
