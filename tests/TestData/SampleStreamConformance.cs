using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.TestData;

/// <summary>
/// The contract every <see cref="ISampleStream"/> keeps, checked against a truth the derived class
/// knows independently (synthetic values by construction, ffmpeg's own decode…): window reads with
/// any index list (runs, strides, repeats, descending, shuffled, -1 for outside), the documented
/// exceptions for bad indices and short destinations, the clock's time ↔ index round trips in every
/// <see cref="IndexMode"/>, in-place memory that agrees with reads, release as a mere hint, and
/// disposal. A new stream (a new modality) gets one small derived class: a factory and the truth.
/// </summary>
/// <typeparam name="TStream">The stream type under test.</typeparam>
public abstract class SampleStreamConformance<TStream> : IDisposable
    where TStream : class, ISampleStream
{
    /// <summary>Bytes a read must never touch: what a destination holds before it is filled.</summary>
    private const byte Untouched = 0xA5;

    private readonly List<TStream> _opened = [];

    /// <summary>What the fixture needs beyond the SDK; every test skips with the reasons when it is not met.</summary>
    protected virtual Needs Needs => Needs.None;

    /// <summary>Opens a new stream over the fixture's recording (making its files on first use).</summary>
    protected abstract TStream OpenStream();

    /// <summary>The truth: the bytes <see cref="ISampleStream.ReadSamples"/> must write for sample <paramref name="index"/>.</summary>
    protected abstract void ExpectedSample(long index, Span<byte> destination);

    /// <summary>The truth: own-clock seconds of sample <paramref name="index"/>.</summary>
    protected abstract double ExpectedTimeSeconds(long index);

    protected abstract long ExpectedSampleCount { get; }

    protected abstract string ExpectedFormatName { get; }

    protected abstract SampleType ExpectedElementType { get; }

    protected abstract IReadOnlyList<int> ExpectedSampleShape { get; }

    /// <summary>Whether <see cref="ISampleStream.TryGetSourceMemory"/> must hand out the samples in place (a mapping in the machine's byte order).</summary>
    protected abstract bool ExpectsSourceMemory { get; }

    /// <summary>Whether sample <paramref name="index"/> + 1 follows it without a gap in time (false only where a stream with gaps, a run of files, has one).</summary>
    protected virtual bool IsFollowedWithoutGap(long index) => true;

    /// <summary>Samples in the window patterns' runs.</summary>
    protected virtual int WindowSamples => 40;

    /// <summary>Compares one sample with the truth: byte for byte unless the stream computes its values (a filter may round).</summary>
    protected virtual void AssertSample(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual, long index, string pattern)
    {
        if (!expected.SequenceEqual(actual))
        {
            int at = 0;
            while (expected[at] == actual[at])
            {
                at++;
            }

            Assert.Fail($"{pattern}: sample {index} differs from the truth first at byte {at} of {expected.Length}: {actual[at]} instead of {expected[at]}");
        }
    }

    [Fact]
    public void Describes_ItsShapeTypeAndSource()
    {
        TStream stream = Open();

        Assert.Equal(ExpectedFormatName, stream.FormatName);
        Assert.Equal(ExpectedElementType, stream.ElementType);
        Assert.Equal(ExpectedSampleShape, stream.SampleShape);
        Assert.Equal(ExpectedSampleCount, stream.Clock.SampleCount);
        Assert.False(string.IsNullOrEmpty(stream.SourcePath));
        Assert.All(stream.Details, d => Assert.False(string.IsNullOrEmpty(d.Key)));
        if (stream is ContinuousStream continuous)
        {
            Assert.Equal(ExpectedSampleShape, [continuous.ChannelCount]);
            Assert.Equal(continuous.ChannelCount, continuous.ChannelIds.Count);
            Assert.Equal(continuous.ChannelCount, continuous.GainsToMicrovolts.Count);
        }
    }

    [Fact]
    public void ReadSamples_AnyIndexList_WritesTheTruthAndZerosForMinusOne()
    {
        TStream stream = Open();
        foreach ((string pattern, long[] indices) in Patterns())
        {
            AssertReads(stream, pattern, indices);
        }
    }

    [Fact]
    public void ReadSamples_SameStreamAgainAfterOtherReads_GivesTheSameSamples()
    {
        // Streams keep state between reads (a decoder's position, a conversion buffer, a ring of
        // frames): a read must not depend on what was read before.
        TStream stream = Open();
        long n = ExpectedSampleCount;
        long[] middle = Run(n / 2, WindowSamples);
        AssertReads(stream, "middle run", middle);
        AssertReads(stream, "start after the middle", Run(0, WindowSamples));
        AssertReads(stream, "end after the start", Run(n - WindowSamples, WindowSamples));
        AssertReads(stream, "middle again", middle);
    }

    [Fact]
    public void ReadSamples_IndexPastTheEnd_ThrowsArgumentOutOfRange()
    {
        TStream stream = Open();
        long n = ExpectedSampleCount;
        foreach (long[] indices in new[] { new[] { n }, [n + 7], [long.MaxValue], [0, 1, n], [n - 2, n - 1, n], [-1, n] })
        {
            var destination = new byte[indices.Length * stream.BytesPerSample()];
            Assert.Throws<ArgumentOutOfRangeException>(() => stream.ReadSamples(indices, destination));
        }
    }

    [Fact]
    public void ReadSamples_NegativeIndexOtherThanMinusOne_ThrowsArgumentOutOfRange()
    {
        // -1 is the one way to say "outside the recording"; any other negative index is a caller's
        // bug, which zeros would hide.
        TStream stream = Open();
        foreach (long[] indices in new[] { new[] { -2L }, [0, -5], [long.MinValue], [-1, -2, -1] })
        {
            var destination = new byte[indices.Length * stream.BytesPerSample()];
            Assert.Throws<ArgumentOutOfRangeException>(() => stream.ReadSamples(indices, destination));
        }
    }

    [Fact]
    public void ReadSamples_DestinationTooSmall_ThrowsArgumentException()
    {
        TStream stream = Open();
        int bytes = stream.BytesPerSample();
        foreach (long[] indices in new[] { new[] { 0L, 1, 2 }, [-1], [ExpectedSampleCount - 1, -1] })
        {
            var destination = new byte[(indices.Length * bytes) - 1];
            Assert.Throws<ArgumentException>(() => stream.ReadSamples(indices, destination));
        }
    }

    [Fact]
    public void Clock_IsTheTrueClock()
    {
        SampleClock clock = Open().Clock;
        foreach (long k in ClockProbes())
        {
            Assert.True(
                Math.Abs(clock.TimeOf(k) - ExpectedTimeSeconds(k)) <= 1e-12 * Math.Max(1, Math.Abs(ExpectedTimeSeconds(k))),
                $"sample {k}: the clock says {clock.TimeOf(k):R} s, the truth {ExpectedTimeSeconds(k):R} s");
            if (k > 0)
            {
                Assert.True(clock.TimeOf(k) > clock.TimeOf(k - 1), $"sample {k}'s time does not come after sample {k - 1}'s");
            }
        }

        Assert.True(clock.EndSeconds > clock.TimeOf(ExpectedSampleCount - 1), "the recording ends before its last sample's time");
    }

    [Fact]
    public void Clock_TimeOfSampleK_IsSampleK_InEveryMode_AlsoWithin1ns()
    {
        SampleClock clock = Open().Clock;
        long[] probes = ClockProbes();
        var times = new List<double>();
        var expected = new List<long>();
        foreach (long k in probes)
        {
            double t = clock.TimeOf(k);
            foreach (double nudge in new[] { 0, 0.5e-9, -0.5e-9, 0.99e-9, -0.99e-9 })
            {
                // A time within 1 ns of a sample's time is that sample (2.5 s at 30 kHz is sample 75 000, never 74 999).
                Assert.Equal(k, clock.IndexAtOrBefore(t + nudge));
                times.Add(t + nudge);
                expected.Add(k);
                foreach (IndexMode mode in Enum.GetValues<IndexMode>())
                {
                    Assert.Equal(new SampleLocation(k, 0), clock.Locate(t + nudge, mode));
                }
            }
        }

        // The batch query gives the one-by-one answers.
        var batch = new long[times.Count];
        clock.IndexesAtOrBefore(times.ToArray(), batch);
        Assert.Equal(expected, batch);
    }

    [Fact]
    public void Clock_TimesBetweenSamples_PickPreviousNearestOrInterpolate()
    {
        SampleClock clock = Open().Clock;
        foreach (long k in ClockProbes().Where(k => k + 1 < ExpectedSampleCount && IsFollowedWithoutGap(k)))
        {
            double before = clock.TimeOf(k), after = clock.TimeOf(k + 1);
            foreach (double fraction in new[] { 0.25, 0.75 })
            {
                double t = before + (fraction * (after - before));
                Assert.Equal(new SampleLocation(k, 0), clock.Locate(t, IndexMode.Previous));
                Assert.Equal(new SampleLocation(fraction < 0.5 ? k : k + 1, 0), clock.Locate(t, IndexMode.Nearest));
                SampleLocation linear = clock.Locate(t, IndexMode.Linear);
                Assert.Equal(k, linear.Index);
                Assert.Equal(fraction, linear.Fraction, 1e-6);
            }
        }
    }

    [Fact]
    public void Clock_TimesBeforeStartOrAfterEnd_AreOutside()
    {
        SampleClock clock = Open().Clock;
        double start = clock.StartSeconds, end = clock.EndSeconds;
        double[] outside = [start - 3e-9, start - 1e-3, start - 1e6, end, end + 1e-3, end + 1e6, double.NaN, double.NegativeInfinity, double.PositiveInfinity];
        foreach (double t in outside)
        {
            foreach (IndexMode mode in Enum.GetValues<IndexMode>())
            {
                Assert.True(clock.Locate(t, mode).IsOutside, $"{t:R} s ({mode}) is outside [{start:R}, {end:R}) s but located sample {clock.Locate(t, mode).Index}");
            }
        }

        Assert.Equal(-1, clock.IndexAtOrBefore(start - 1e-3));
        Assert.Equal(-1, clock.IndexAtOrBefore(double.NegativeInfinity));
        Assert.Equal(ExpectedSampleCount - 1, clock.IndexAtOrBefore(end + 1e3));
        Assert.Equal(ExpectedSampleCount - 1, clock.IndexAtOrBefore(double.PositiveInfinity));
        Assert.Equal(new SampleLocation(ExpectedSampleCount - 1, 0), clock.Locate(end - 3e-9, IndexMode.Previous));
    }

    [Fact]
    public void TryGetSourceMemory_WhereGiven_HoldsWhatReadSamplesWrites()
    {
        TStream stream = Open();
        int bytes = stream.BytesPerSample();
        long n = ExpectedSampleCount;
        foreach ((long start, int count) in new[] { (0L, 1), (0L, WindowSamples), (n / 2, (int)Math.Min(17, n - (n / 2))), (n - WindowSamples, WindowSamples), (n - 1, 1) })
        {
            long[] run = Run(start, count);
            var read = new byte[count * bytes];
            stream.ReadSamples(run, read);

            bool given = stream.TryGetSourceMemory(start, count, out ReadOnlyMemory<byte> memory);
            Assert.Equal(ExpectsSourceMemory, given);
            if (given)
            {
                Assert.True(read.AsSpan().SequenceEqual(memory.Span), $"samples [{start}, {start + count}) in place differ from ReadSamples");
            }

            if (stream is ContinuousStream continuous)
            {
                if (continuous.TryGetWindow(start, count, out ReadOnlySpan<byte> window))
                {
                    Assert.True(read.AsSpan().SequenceEqual(window), $"TryGetWindow [{start}, {start + count}) differs from ReadSamples");
                }

                Assert.True(given || !continuous.TryGetWindow(start, count, out _), "TryGetWindow gives a window that TryGetSourceMemory does not");
                var block = new byte[count * bytes];
                continuous.ReadBlock(start, count, block);
                Assert.True(read.AsSpan().SequenceEqual(block), $"ReadBlock [{start}, {start + count}) differs from ReadSamples");
            }
        }
    }

    [Fact]
    public void TryGetSourceMemory_OutsideTheRecording_GivesNothing()
    {
        TStream stream = Open();
        long n = ExpectedSampleCount;
        foreach ((long start, int count) in new[] { (n - 1, 2), (-1L, 1), (n, 1), (-3L, 5) })
        {
            try
            {
                Assert.False(stream.TryGetSourceMemory(start, count, out _), $"memory for samples [{start}, {start + count}) of {n}");
            }
            catch (ArgumentOutOfRangeException)
            {
                // Refusing the range is as good as handing out nothing.
            }

            if (stream is ContinuousStream continuous)
            {
                var block = new byte[Math.Max(0, count) * continuous.FrameBytes];
                Assert.Throws<ArgumentOutOfRangeException>(() => continuous.ReadBlock(start, count, block));
            }
        }
    }

    [Fact]
    public void ReleaseSamples_IsOnlyAHint()
    {
        TStream stream = Open();
        long n = ExpectedSampleCount;
        long[] window = Run(n / 3, WindowSamples);
        AssertReads(stream, "before release", window);

        stream.ReleaseSamples(0, n);
        stream.ReleaseSamples(n / 3, WindowSamples);
        stream.ReleaseSamples(0, 0);
        stream.ReleaseSamples(n - 1, n);
        stream.ReleaseSamples(n, 10);

        AssertReads(stream, "after release", window);
        if (ExpectsSourceMemory)
        {
            Assert.True(stream.TryGetSourceMemory(n / 3, WindowSamples, out ReadOnlyMemory<byte> memory));
            stream.ReleaseSamples(n / 3, WindowSamples);
            var truth = new byte[memory.Length];
            for (int i = 0; i < WindowSamples; i++)
            {
                ExpectedSample(window[i], truth.AsSpan(i * stream.BytesPerSample(), stream.BytesPerSample()));
            }

            // Released pages fault back in from the page cache when read again.
            Assert.True(truth.AsSpan().SequenceEqual(memory.Span), "memory in place changed after its samples were released");
        }
    }

    [Fact]
    public void Dispose_Twice_IsHarmless_AndReadsAfterwardThrowObjectDisposed()
    {
        TStream stream = Open();
        long n = ExpectedSampleCount;
        AssertReads(stream, "before dispose", Run(0, 3));

        stream.Dispose();
        stream.Dispose();

        var destination = new byte[3 * stream.BytesPerSample()];
        Assert.Throws<ObjectDisposedException>(() => stream.ReadSamples(Run(0, 3), destination));
        Assert.Throws<ObjectDisposedException>(() => stream.ReadSamples([n - 1], destination));
        stream.ReleaseSamples(0, n);
        try
        {
            Assert.False(stream.TryGetSourceMemory(0, 3, out _), "memory over a disposed stream");
        }
        catch (ObjectDisposedException)
        {
            // Refusing is as good as handing out nothing.
        }

        if (stream is ContinuousStream continuous)
        {
            Assert.Throws<ObjectDisposedException>(() => continuous.ReadBlock(0, 3, destination));
        }
    }

    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (TStream stream in _opened)
            {
                stream.Dispose();
            }
        }
    }

    /// <summary>Consecutive indices [start, start + count).</summary>
    protected static long[] Run(long start, int count) => Enumerable.Range(0, count).Select(i => start + i).ToArray();

    /// <summary>A stream for one test, skipped when the fixture's needs are not met; disposed with the test.</summary>
    private TStream Open()
    {
        if (Requirements.MissingReason(Needs) is { } reason)
        {
            Assert.Skip(reason);
        }

        TStream stream = OpenStream();
        _opened.Add(stream);
        return stream;
    }

    private void AssertReads(TStream stream, string pattern, long[] indices)
    {
        int bytes = stream.BytesPerSample();

        // One spare sample at the end: a read writes its samples, not a byte more.
        var destination = new byte[(indices.Length + 1) * bytes];
        destination.AsSpan().Fill(Untouched);
        stream.ReadSamples(indices, destination.AsSpan(0, indices.Length * bytes));

        var expected = new byte[bytes];
        for (int i = 0; i < indices.Length; i++)
        {
            if (indices[i] < 0)
            {
                expected.AsSpan().Clear();
            }
            else
            {
                ExpectedSample(indices[i], expected);
            }

            AssertSample(expected, destination.AsSpan(i * bytes, bytes), indices[i], $"{pattern} [{string.Join(", ", indices.Take(12))}{(indices.Length > 12 ? ", …" : "")}] position {i}");
        }

        Assert.True(destination.AsSpan(indices.Length * bytes).IndexOfAnyExcept(Untouched) < 0, $"{pattern}: ReadSamples wrote past the samples asked for");
    }

    /// <summary>Index lists the aligner, the filter scan and the LED finder send, and ones they do not yet.</summary>
    private IEnumerable<(string Pattern, long[] Indices)> Patterns()
    {
        long n = ExpectedSampleCount;
        int w = (int)Math.Min(WindowSamples, n);
        var random = new Random(20261206);
        yield return ("first window", Run(0, w));
        yield return ("last window", Run(n - w, w));
        yield return ("whole recording", Run(0, (int)n));
        yield return ("middle run", Run(n / 2, w));
        yield return ("every third sample", Enumerable.Range(0, w).Select(i => Math.Min(n - 1, 1 + (3L * i))).ToArray());
        yield return ("each sample repeated", Run(n / 3, w / 2).SelectMany(k => new[] { k, k, k }).ToArray());
        yield return ("descending", Run(n - w, w).Reverse().ToArray());
        yield return ("descending stride", Enumerable.Range(0, w).Select(i => n - 1 - (i * Math.Max(1, n / w))).Where(k => k >= 0).ToArray());
        yield return ("shuffled", Enumerable.Range(0, w).Select(_ => random.NextInt64(n)).ToArray());
        yield return ("outside at both ends", [-1, -1, .. Run(0, w / 2), -1, .. Run(n - (w / 2), w / 2), -1, -1]);
        yield return ("outside in the middle", [.. Run(n / 2, 3), -1, .. Run((n / 2) + 4, 3), -1, n / 2]);
        yield return ("all outside", [-1, -1, -1]);
        yield return ("single last sample", [n - 1]);
        yield return ("first and last", [0, n - 1, 0]);
        yield return ("no samples", []);
    }

    /// <summary>Samples whose times the clock tests probe: both ends, the middle and a spread between.</summary>
    private long[] ClockProbes()
    {
        long n = ExpectedSampleCount;
        return new[] { 0, 1, n / 3, n / 2, n - 2, n - 1 }
            .Concat(Enumerable.Range(0, 64).Select(i => i * (n - 1) / 63))
            .Where(k => k >= 0 && k < n)
            .Distinct()
            .Order()
            .ToArray();
    }
}
