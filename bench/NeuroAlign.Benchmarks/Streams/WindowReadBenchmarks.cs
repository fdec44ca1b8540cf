using BenchmarkDotNet.Attributes;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;

namespace NeuroAlign.Benchmarks.Streams;

/// <summary>
/// Reading a 1 s × 384-channel window (23 MB) of a memory-mapped int16 recording that sits in the
/// page cache, against a plain copy of the same number of bytes between two arrays.
/// </summary>
[MemoryDiagnoser]
public class WindowReadBenchmarks
{
    private const int Channels = 384;
    private const int WindowSamples = 30_000;
    private InterleavedBinaryStream _stream = null!;
    private byte[] _source = null!;
    private byte[] _destination = null!;
    private long[] _starts = null!;
    private int _next;

    [Params(60)]
    public int RecordingSeconds { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string path = BenchFiles.Int16Recording(Channels, RecordingSeconds);
        _stream = RawBinaryReader.Open(path, new RawBinaryOptions());
        _destination = new byte[WindowSamples * Channels * 2];
        _source = new byte[_destination.Length];
        new Random(1).NextBytes(_source);
        var random = new Random(2);
        _starts = Enumerable.Range(0, 64).Select(_ => random.NextInt64(0, _stream.SampleCount - WindowSamples)).ToArray();

        // Bring the whole file into the page cache, so the figure is memory speed, not disk speed.
        var warm = new byte[WindowSamples * Channels * 2];
        for (long s = 0; s + WindowSamples <= _stream.SampleCount; s += WindowSamples)
        {
            _stream.ReadBlock(s, WindowSamples, warm);
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _stream.Dispose();

    [Benchmark(Baseline = true, Description = "plain copy of 23 MB between arrays")]
    public void ArrayCopy() => _source.AsSpan().CopyTo(_destination);

    [Benchmark(Description = "1 s x 384 ch window from the mapped file (ReadBlock)")]
    public void MappedWindowCopy()
    {
        long start = _starts[_next++ % _starts.Length];
        _stream.ReadBlock(start, WindowSamples, _destination);
    }

    [Benchmark(Description = "1 s x 384 ch window, zero-copy span, summed")]
    public long MappedWindowSpanSum()
    {
        long start = _starts[_next++ % _starts.Length];
        ReadOnlySpan<short> window = _stream.GetWindow<short>(start, WindowSamples);
        long sum = 0;
        foreach (short v in window)
        {
            sum += v;
        }

        return sum;
    }
}
