using BenchmarkDotNet.Attributes;
using NeuroAlign.Benchmarks.Peers;
using NeuroAlign.Time;

namespace NeuroAlign.Benchmarks.Time;

/// <summary>
/// A million time → sample-index queries (the golden-ratio sequence over one hour, so in no
/// order): on a regular 30 kHz clock and on an explicit clock of 216 000 jittered 60 fps frame
/// times, against the plain arithmetic or binary search one would write. numpy's
/// <c>floor</c> / <c>searchsorted</c> is the "clock" task of bench/peers/compare.py.
/// </summary>
[MemoryDiagnoser]
public class ClockInversionBenchmarks
{
    private const int Queries = 1_000_000;
    private SampleClock _clock = null!;
    private double[] _times = null!;
    private double[] _queries = null!;
    private long[] _found = null!;

    [Params("regular", "explicit")]
    public string Clock { get; set; } = "regular";

    [GlobalSetup]
    public void Setup()
    {
        _times = Enumerable.Range(0, 216_000).Select(k => (k / 60.0) + (0.002 * Math.Sin(k))).ToArray();
        _clock = Clock == "regular" ? new RegularClock(0, 30_000, 30_000L * 3600) : new ExplicitClock(_times);
        _queries = PeerHarness.ClockQueries(Queries, 3599.0);
        _found = new long[Queries];
    }

    [Benchmark(Baseline = true, Description = "plain: floor((t + 1e-9) * rate), or Array.BinarySearch")]
    public long Plain()
    {
        if (Clock == "regular")
        {
            for (int i = 0; i < _queries.Length; i++)
            {
                _found[i] = (long)Math.Floor((_queries[i] + 1e-9) * 30_000);
            }
        }
        else
        {
            for (int i = 0; i < _queries.Length; i++)
            {
                int at = Array.BinarySearch(_times, _queries[i] + 1e-9);
                _found[i] = at >= 0 ? at : ~at - 1;
            }
        }

        return _found[^1];
    }

    [Benchmark(Description = "SampleClock.Locate(t, previous)")]
    public long Locate()
    {
        for (int i = 0; i < _queries.Length; i++)
        {
            _found[i] = _clock.Locate(_queries[i], IndexMode.Previous).Index;
        }

        return _found[^1];
    }

    [Benchmark(Description = "SampleClock.IndexesAtOrBefore(all queries)")]
    public long Batch()
    {
        _clock.IndexesAtOrBefore(_queries, _found);
        return _found[^1];
    }
}
