using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Time;

public class IndexesAtOrBeforeTests
{
    /// <summary>Times around every kind of edge: exact sample times, ± the tolerance and a little more, outside, odd values.</summary>
    private static double[] Queries(RegularClock clock, int seed)
    {
        var random = new Random(seed);
        var times = new List<double> { double.NaN, double.NegativeInfinity, double.PositiveInfinity, -1e300, 1e300, 0, -0.0 };
        foreach (long k in new long[] { 0, 1, 2, clock.SampleCount - 2, clock.SampleCount - 1, clock.SampleCount, clock.SampleCount + 1 })
        {
            double t = clock.TimeOf(k);
            foreach (double d in new[] { 0, 1e-9, -1e-9, 1.0000001e-9, -1.0000001e-9, 0.99e-9, -0.99e-9, 1e-12, -1e-12 })
            {
                times.Add(t + d);
            }
        }

        double span = clock.EndSeconds - clock.StartTimeSeconds;
        for (int i = 0; i < 100_000; i++)
        {
            double u = random.NextDouble();
            times.Add(i % 3 == 0
                ? clock.TimeOf((long)(u * clock.SampleCount)) + ((random.NextDouble() - 0.5) * 4e-9)
                : clock.StartTimeSeconds + ((u * 1.2) - 0.1) * span);
        }

        return [.. times];
    }

    [Theory]
    [InlineData(0.0, 30_000.0, 108_000_000L)]
    [InlineData(12.345, 30_000.123456, 5_000_000L)]
    [InlineData(-3.0, 2.5, 1200L)]
    [InlineData(0.1, 1e9, 1L << 40)]
    [InlineData(5.0, 30_000.0, 0L)]
    [InlineData(5.0, 30_000.0, 1L)]
    public void IndexesAtOrBefore_RegularClock_SameAsOneByOne(double start, double rate, long count)
    {
        var clock = new RegularClock(start, rate, count);
        double[] times = Queries(clock, seed: (int)(rate % 1000));
        long[] batch = new long[times.Length + 3];
        Array.Fill(batch, 42L);

        clock.IndexesAtOrBefore(times, batch);

        for (int i = 0; i < times.Length; i++)
        {
            Assert.True(clock.IndexAtOrBefore(times[i]) == batch[i], $"t = {times[i]:R}: one by one {clock.IndexAtOrBefore(times[i])}, batch {batch[i]}");
        }

        Assert.Equal([42L, 42L, 42L], batch[^3..]);
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(1e300)]
    [InlineData(1e6)]
    public void IndexAtOrBefore_FarPastTheEnd_LastSample(double seconds)
    {
        // Once an unbounded loop: the settling step walked on past the end.
        var clock = new RegularClock(0, 30_000, 300_000);

        Assert.Equal(299_999, clock.IndexAtOrBefore(seconds));
    }

    [Fact]
    public void IndexesAtOrBefore_ExplicitClock_SameAsOneByOne()
    {
        var clock = new ExplicitClock([0.0, 0.0167, 0.0334, 0.05, 0.0668]);
        double[] times = [-1, 0, 0.01, 0.0167 - 1e-10, 0.0334, 0.06, 1];
        long[] batch = new long[times.Length];

        clock.IndexesAtOrBefore(times, batch);

        Assert.Equal(times.Select(clock.IndexAtOrBefore), batch);
    }

    /// <summary>Times held behind the interface only: the clock searches them through ITimestamps (no array path).</summary>
    private sealed class ListTimestamps(double[] seconds) : ITimestamps
    {
        public long Count => seconds.Length;

        public double this[long index] => seconds[index];
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(1000)]
    [InlineData(216_000)]
    public void ExplicitClock_ArraySearch_AgreesWithALinearCountAndTheInterfaceSearch(int count)
    {
        // Jittered 60 fps frame times, as the benchmark's; queries at, around (± the tolerance) and between them.
        double[] frames = [.. Enumerable.Range(0, count).Select(k => (k / 60.0) + (0.002 * Math.Sin(k)))];
        var array = new ExplicitClock(frames);
        var viaInterface = new ExplicitClock(new ListTimestamps(frames));
        var random = new Random(count);
        var queries = new List<double> { double.NaN, double.NegativeInfinity, double.PositiveInfinity, -1, 0, 1e300 };
        foreach (double t in frames.Take(50).Concat(frames.TakeLast(50)))
        {
            queries.AddRange([t, t - 1e-9, t + 1e-9, t - 1.0000001e-9, t - 1e-7, t + 1e-7]);
        }

        queries.AddRange(Enumerable.Range(0, 20_000).Select(_ => (random.NextDouble() * 1.2 * (count + 1) / 60.0) - 0.1));
        double[] q = [.. queries];
        long[] batch = new long[q.Length];

        array.IndexesAtOrBefore(q, batch);

        for (int i = 0; i < q.Length; i++)
        {
            // The oracle: how many frame times are at most the query plus the tolerance, less one.
            long expected = frames.Count(t => t <= q[i] + SampleClock.ToleranceSeconds) - 1;
            if (count >= 1000 && i % 50 != 0)
            {
                expected = viaInterface.IndexAtOrBefore(q[i]);
            }

            Assert.True(expected == batch[i], $"query {q[i]:R}: {batch[i]}, expected {expected}");
            Assert.Equal(batch[i], array.IndexAtOrBefore(q[i]));
        }
    }

    [Fact]
    public void IndexesAtOrBefore_TooLittleRoom_Throws()
    {
        var clock = new RegularClock(0, 1000, 100);

        Assert.Throws<ArgumentException>(() => clock.IndexesAtOrBefore([0.1, 0.2], new long[1]));
    }
}
