namespace NeuroAlign.Time;

/// <summary>
/// The fixed grid one modality is sampled on inside a window [t - before, t + after):
/// t - before + k / rate for k = 0..N-1, N = max(1, round((before + after) · rate)).
/// A fixed N per modality makes the output a tensor that can be batched.
/// </summary>
public sealed class SamplingGrid
{
    public SamplingGrid(double beforeSeconds, double afterSeconds, double outputRateHz)
    {
        if (!double.IsFinite(beforeSeconds) || !double.IsFinite(afterSeconds) || beforeSeconds + afterSeconds <= 0)
        {
            throw new NeuroAlignException(
                $"window [t - {beforeSeconds:R} s, t + {afterSeconds:R} s) is empty: {Sessions.ExportSettings.Before} + {Sessions.ExportSettings.After} must be positive");
        }

        if (!(outputRateHz > 0) || !double.IsFinite(outputRateHz))
        {
            throw new NeuroAlignException($"output rate {outputRateHz:R} Hz: expected a positive, finite rate");
        }

        BeforeSeconds = beforeSeconds;
        AfterSeconds = afterSeconds;
        OutputRateHz = outputRateHz;
        double exact = (beforeSeconds + afterSeconds) * outputRateHz;
        if (exact > int.MaxValue)
        {
            throw new NeuroAlignException($"a window of {beforeSeconds + afterSeconds:R} s at {outputRateHz:R} Hz has {exact:F0} samples: too many for one window");
        }

        PointCount = Math.Max(1, (int)Math.Round(exact, MidpointRounding.AwayFromZero));
    }

    public double BeforeSeconds { get; }

    public double AfterSeconds { get; }

    public double OutputRateHz { get; }

    /// <summary>N, the number of grid points per window.</summary>
    public int PointCount { get; }

    /// <summary>Reference-clock time of grid point k of the window at <paramref name="windowTimeSeconds"/>.</summary>
    public double TimeAt(double windowTimeSeconds, int k) => windowTimeSeconds - BeforeSeconds + (k / OutputRateHz);
}
