using BenchmarkDotNet.Attributes;
using NeuroAlign.Filtering;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;

namespace NeuroAlign.Benchmarks.Filtering;

/// <summary>
/// <c>signal &gt; 0.8</c> (per-channel gain applied) over 1 s × 384-channel int16 windows (23 MB) of a
/// memory-mapped recording in the page cache, one core: the compiled filter against the plain loop
/// one would write. numpy's <c>(x * gain) &gt; 0.8</c> on the same memmap is bench/peers/filter_threshold.py.
/// </summary>
[MemoryDiagnoser]
public class FilterBenchmarks
{
    private const int Channels = 384;
    private const int WindowSamples = 30_000;
    private InterleavedBinaryStream _stream = null!;
    private double[] _gains = null!;
    private byte[] _mask = null!;
    private long[] _starts = null!;
    private CompiledFilter _threshold = null!;
    private CompiledFilter _generic = null!;
    private CompiledFilter _band = null!;
    private int _next;

    [Params(60)]
    public int RecordingSeconds { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        string path = BenchFiles.Int16Recording(Channels, RecordingSeconds);
        _stream = RawBinaryReader.Open(path, new RawBinaryOptions());

        // Neuropixels 1.0 and Open Ephys gains, alternating, so every channel has its own threshold.
        _gains = Enumerable.Range(0, Channels).Select(c => c % 2 == 0 ? 2.34375 : 0.195).ToArray();
        var target = new FilterTarget(new NeuroAlign.Modalities.Ephys.EphysModality().FilterScope, SampleType.Int16, Channels, _gains, Enumerable.Range(0, Channels).ToArray());
        _threshold = FilterSet.Parse(["signal > 0.8"]).Compile(target);

        // The same test written so that it cannot become an integer interval: the double-precision kernels.
        _generic = FilterSet.Parse(["signal * 1 > 0.8"]).Compile(target);
        _band = FilterSet.Parse(["abs(signal) < 500 uV and t >= 0.1 s"]).Compile(target);
        _mask = new byte[WindowSamples * Channels];
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

    [Benchmark(Baseline = true, Description = "plain loop: (x * gain[c]) > 0.8")]
    public long PlainLoop()
    {
        ReadOnlySpan<short> window = _stream.GetWindow<short>(NextStart(), WindowSamples);
        long kept = 0;
        for (int k = 0, i = 0; k < WindowSamples; k++)
        {
            for (int c = 0; c < Channels; c++, i++)
            {
                byte pass = window[i] * _gains[c] > 0.8 ? (byte)1 : (byte)0;
                _mask[i] = pass;
                kept += pass;
            }
        }

        return kept;
    }

    [Benchmark(Description = "compiled: signal > 0.8 (per-channel integer thresholds)")]
    public long CompiledThreshold() => Evaluate(_threshold, []);

    [Benchmark(Description = "compiled: signal * 1 > 0.8 (double kernels)")]
    public long CompiledGeneric() => Evaluate(_generic, []);

    [Benchmark(Description = "compiled: abs(signal) < 500 uV and t >= 0.1 s")]
    public long CompiledBand() => Evaluate(_band, Times);

    private static readonly double[] Times = Enumerable.Range(0, WindowSamples).Select(k => k / 30000.0).ToArray();

    private long Evaluate(CompiledFilter filter, double[] times)
    {
        _stream.TryGetWindow(NextStart(), WindowSamples, out ReadOnlySpan<byte> window);
        return filter.Evaluate(window, times, [], _mask);
    }

    private long NextStart() => _starts[_next++ % _starts.Length];
}
