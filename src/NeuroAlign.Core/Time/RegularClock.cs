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
        // settle it against the clock's own sample times with the tolerance.
        while (TimeOf(k + 1) <= seconds + ToleranceSeconds)
        {
            k++;
        }

        while (k >= 0 && TimeOf(k) > seconds + ToleranceSeconds)
        {
            k--;
        }

        return Math.Clamp(k, -1, _count - 1);
    }

    public override string Describe() =>
        $"regular: t0 = {StartTimeSeconds:R} s, rate = {SampleRateHz:R} Hz";
}
