using System.Runtime.Intrinsics;

namespace NeuroAlign.Time;

/// <summary>A clock with samples at t0 + k / rate: ephys acquisition, or any stream with a trusted nominal rate.</summary>
public sealed class RegularClock : SampleClock
{
    public RegularClock(double startSeconds, double sampleRateHz, long sampleCount)
    {
        if (!(sampleRateHz > 0) || double.IsInfinity(sampleRateHz))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRateHz), sampleRateHz, "sample rate must be positive and finite");
        }

        if (!double.IsFinite(startSeconds))
        {
            throw new ArgumentOutOfRangeException(nameof(startSeconds), startSeconds, "start time must be finite");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(sampleCount);
        StartTimeSeconds = startSeconds;
        SampleRateHz = sampleRateHz;
        _count = sampleCount;
    }

    private readonly long _count;

    /// <summary>Own-clock time of sample 0, seconds.</summary>
    public double StartTimeSeconds { get; }

    public double SampleRateHz { get; }

    public override long SampleCount => _count;

    public override double EndSeconds => TimeOf(_count);

    public override double MeanRateHz => SampleRateHz;

    public override double TimeOf(long index) => StartTimeSeconds + (index / SampleRateHz);

    public override long IndexAtOrBefore(double seconds)
    {
        double position = (seconds - StartTimeSeconds) * SampleRateHz;
        if (position < -1)
        {
            return -1;
        }

        long k = (long)Math.Floor(Math.Min(position, _count));

        // The floor above may land one short or one over because of rounding in t * rate;
        // settle it against the clock's own sample times with the tolerance. Past the end the
        // answer is the last sample whatever the time (an unbounded loop for +inf or 1e300 before).
        while (k < _count && TimeOf(k + 1) <= seconds + ToleranceSeconds)
        {
            k++;
        }

        while (k >= 0 && TimeOf(k) > seconds + ToleranceSeconds)
        {
            k--;
        }

        return Math.Clamp(k, -1, _count - 1);
    }

    /// <summary>
    /// Four times per step with 256-bit vectors, with the very arithmetic of
    /// <see cref="IndexAtOrBefore"/> (t0 + k / rate, one step up or down to settle the floor), so
    /// the answers are identical; a group with a time that needs more (before the start, NaN, a
    /// floor off by more than one) is answered one by one.
    /// </summary>
    public override void IndexesAtOrBefore(ReadOnlySpan<double> seconds, Span<long> indices)
    {
        CheckRoom(seconds, indices);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<double> t0 = Vector256.Create(StartTimeSeconds);
            Vector256<double> rate = Vector256.Create(SampleRateHz);
            Vector256<double> tolerance = Vector256.Create(ToleranceSeconds);
            Vector256<double> count = Vector256.Create((double)_count);
            Vector256<double> minusOne = Vector256.Create(-1.0);
            Vector256<double> last = Vector256.Create((double)(_count - 1));
            Vector256<double> one = Vector256<double>.One;
            for (; i <= seconds.Length - Vector256<double>.Count; i += Vector256<double>.Count)
            {
                Vector256<double> t = Vector256.Create(seconds.Slice(i, Vector256<double>.Count));
                Vector256<double> limit = t + tolerance;
                Vector256<double> position = (t - t0) * rate;
                Vector256<double> k = Vector256.Floor(Vector256.Min(position, count));
                k = Vector256.ConditionalSelect(Vector256.LessThan(k, count) & Vector256.LessThanOrEqual(t0 + ((k + one) / rate), limit), k + one, k);
                k = Vector256.ConditionalSelect(Vector256.GreaterThan(t0 + (k / rate), limit) & Vector256.GreaterThanOrEqual(k, Vector256<double>.Zero), k - one, k);

                // Settled where the scalar loops would stop at once: k is the end or sample k + 1
                // is after the time, and k is -1 or at or before it.
                Vector256<double> settled = Vector256.GreaterThanOrEqual(position, minusOne)
                    & (Vector256.GreaterThanOrEqual(k, count) | Vector256.GreaterThan(t0 + ((k + one) / rate), limit))
                    & (Vector256.LessThan(k, Vector256<double>.Zero) | Vector256.LessThanOrEqual(t0 + (k / rate), limit));
                if (Vector256.EqualsAll(settled.AsInt64(), Vector256<long>.AllBitsSet))
                {
                    Vector256.ConvertToInt64(Vector256.Min(Vector256.Max(k, minusOne), last)).CopyTo(indices.Slice(i, Vector256<double>.Count));
                }
                else
                {
                    for (int j = i; j < i + Vector256<double>.Count; j++)
                    {
                        indices[j] = IndexAtOrBefore(seconds[j]);
                    }
                }
            }
        }

        for (; i < seconds.Length; i++)
        {
            indices[i] = IndexAtOrBefore(seconds[i]);
        }
    }

    public override string Describe() =>
        $"regular: t0 = {StartTimeSeconds:R} s, rate = {SampleRateHz:R} Hz";
}
