namespace NeuroAlign.Time;

/// <summary>Where a time falls in a stream: the sample it selects, and for linear sampling the fraction towards the next.</summary>
/// <param name="Index">The selected sample, or -1 when the time falls outside the recording.</param>
/// <param name="Fraction">For <see cref="IndexMode.Linear"/>: weight of sample Index + 1, in [0, 1). Zero otherwise.</param>
public readonly record struct SampleLocation(long Index, double Fraction)
{
    public static SampleLocation Outside => new(-1, 0);

    public bool IsOutside => Index < 0;
}

/// <summary>
/// A stream's own clock: maps sample index ↔ seconds on the device that recorded it.
/// Time → index never computes <c>(long)(t * rate)</c>; it inverts the clock and treats a time
/// within <see cref="ToleranceSeconds"/> of a sample time as that sample (ARCHITECTURE.md, time model).
/// </summary>
public abstract class SampleClock
{
    /// <summary>A time this close to a sample time is that sample's time: 2.5 s at 30 kHz is sample 75 000, never 74 999.</summary>
    public const double ToleranceSeconds = 1e-9;

    /// <summary>Number of samples, N. Samples are 0..N-1.</summary>
    public abstract long SampleCount { get; }

    /// <summary>Own-clock time of sample 0, seconds.</summary>
    public double StartSeconds => TimeOf(0);

    /// <summary>Own-clock time at which the recording ends: the last sample's time plus its duration.</summary>
    public abstract double EndSeconds { get; }

    /// <summary>Stretches of own-clock time inside [<see cref="StartSeconds"/>, <see cref="EndSeconds"/>) with no samples (a SpikeGLX run's gaps between triggers), in time order; none for an unbroken clock.</summary>
    public virtual IReadOnlyList<(double StartSeconds, double EndSeconds)> Gaps => [];

    /// <summary>Own-clock seconds of sample <paramref name="index"/>.</summary>
    public abstract double TimeOf(long index);

    /// <summary>The last sample whose time is at or before <paramref name="seconds"/> (within tolerance); -1 when before sample 0.</summary>
    public abstract long IndexAtOrBefore(double seconds);

    /// <summary>
    /// <see cref="IndexAtOrBefore"/> for every time of <paramref name="seconds"/> into
    /// <paramref name="indices"/>: the same answers, for many queries at once (event times to
    /// samples). Regular clocks answer several times per instruction.
    /// </summary>
    public virtual void IndexesAtOrBefore(ReadOnlySpan<double> seconds, Span<long> indices)
    {
        CheckRoom(seconds, indices);
        for (int i = 0; i < seconds.Length; i++)
        {
            indices[i] = IndexAtOrBefore(seconds[i]);
        }
    }

    /// <summary>Throws unless <paramref name="indices"/> has room for an answer to every time.</summary>
    protected static void CheckRoom(ReadOnlySpan<double> seconds, Span<long> indices)
    {
        if (indices.Length < seconds.Length)
        {
            throw new ArgumentException($"room for {indices.Length} indices, {seconds.Length} times given", nameof(indices));
        }
    }

    /// <summary>Whether times between the start and the end can fall outside the recording (a run of files with gaps between them).</summary>
    public virtual bool HasGaps => false;

    /// <summary>Mean sample rate over the recording, Hz (the nominal rate for regular clocks).</summary>
    public abstract double MeanRateHz { get; }

    /// <summary>One line describing the clock, for `info` and output attributes.</summary>
    public abstract string Describe();

    /// <summary>Whether an own-clock time lies inside [start, end) of the recording.</summary>
    public bool Contains(double seconds) =>
        SampleCount > 0 && seconds >= StartSeconds - ToleranceSeconds && seconds < EndSeconds - ToleranceSeconds;

    /// <summary>The sample chosen for an own-clock time under <paramref name="mode"/> (a clock with gaps says "outside" inside them).</summary>
    public virtual SampleLocation Locate(double seconds, IndexMode mode)
    {
        if (!Contains(seconds))
        {
            return SampleLocation.Outside;
        }

        long k = Math.Max(0, IndexAtOrBefore(seconds));
        if (mode == IndexMode.Previous || k + 1 >= SampleCount)
        {
            return new SampleLocation(k, 0);
        }

        double before = TimeOf(k);
        double after = TimeOf(k + 1);
        if (Math.Abs(seconds - before) <= ToleranceSeconds)
        {
            return new SampleLocation(k, 0);
        }

        if (mode == IndexMode.Nearest)
        {
            // Ties go to the earlier sample, which never leaks the future.
            return after - seconds < seconds - before ? new SampleLocation(k + 1, 0) : new SampleLocation(k, 0);
        }

        return new SampleLocation(k, (seconds - before) / (after - before));
    }
}
