namespace NeuroAlign.Time;

/// <summary>
/// Takes a stream's own-clock seconds to reference-clock seconds and back. Maps are monotonic
/// increasing, so the inverse exists.
/// </summary>
public abstract class ClockMap
{
    /// <summary>The map of a stream that is the reference, or shares its clock.</summary>
    public static ClockMap Identity { get; } = new LinearClockMap(1, 0, "identity");

    /// <summary>Reference-clock seconds of an own-clock time.</summary>
    public abstract double ToReference(double ownSeconds);

    /// <summary>Own-clock seconds of a reference-clock time.</summary>
    public abstract double ToOwn(double referenceSeconds);

    /// <summary>Short method name: identity, offset, linear, piecewise-linear.</summary>
    public abstract string Method { get; }

    /// <summary>One line describing the map, for `info`, `sync` and output attributes.</summary>
    public abstract string Describe();

    /// <summary>Builds a fixed offset map: reference = own + offset.</summary>
    public static ClockMap Offset(double offsetSeconds) =>
        offsetSeconds == 0 ? Identity : new LinearClockMap(1, offsetSeconds, "offset");

    /// <summary>Builds a linear map: reference = slope · own + offset.</summary>
    public static ClockMap Linear(double slope, double offsetSeconds) => new LinearClockMap(slope, offsetSeconds, "linear");
}

/// <summary>reference = Slope · own + OffsetSeconds (identity and fixed offsets are special cases).</summary>
public sealed class LinearClockMap : ClockMap
{
    internal LinearClockMap(double slope, double offsetSeconds, string method)
    {
        if (!(slope > 0) || !double.IsFinite(slope))
        {
            throw new ArgumentOutOfRangeException(nameof(slope), slope, "a clock map's slope must be positive and finite");
        }

        if (!double.IsFinite(offsetSeconds))
        {
            throw new ArgumentOutOfRangeException(nameof(offsetSeconds), offsetSeconds, "a clock map's offset must be finite");
        }

        Slope = slope;
        OffsetSeconds = offsetSeconds;
        Method = method;
    }

    public double Slope { get; }

    public double OffsetSeconds { get; }

    /// <summary>How much faster the reference clock runs than this one, parts per million.</summary>
    public double DriftPpm => (Slope - 1) * 1e6;

    public override string Method { get; }

    public override double ToReference(double ownSeconds) => (Slope * ownSeconds) + OffsetSeconds;

    public override double ToOwn(double referenceSeconds) => (referenceSeconds - OffsetSeconds) / Slope;

    public override string Describe() => Method switch
    {
        "identity" => "identity (shares the reference clock)",
        "offset" => $"offset: reference = own + {OffsetSeconds:R} s",
        _ => $"linear: reference = {Slope:R} · own + {OffsetSeconds:R} s (drift {DriftPpm:F3} ppm)",
    };
}

/// <summary>
/// Piecewise-linear map through knots (own_i, reference_i), for long sessions whose drift is not
/// constant. Outside the knots, the first and last segments are extended.
/// </summary>
public sealed class PiecewiseLinearClockMap : ClockMap
{
    private readonly double[] _own;
    private readonly double[] _reference;

    public PiecewiseLinearClockMap(double[] ownSeconds, double[] referenceSeconds)
    {
        ArgumentNullException.ThrowIfNull(ownSeconds);
        ArgumentNullException.ThrowIfNull(referenceSeconds);
        if (ownSeconds.Length != referenceSeconds.Length || ownSeconds.Length < 2)
        {
            throw new ArgumentException("a piecewise-linear map needs at least two knots, as many own as reference times");
        }

        for (int i = 1; i < ownSeconds.Length; i++)
        {
            if (!(ownSeconds[i] > ownSeconds[i - 1]) || !(referenceSeconds[i] > referenceSeconds[i - 1]))
            {
                throw new ArgumentException($"knots must be strictly increasing in both clocks (knot {i})");
            }
        }

        _own = (double[])ownSeconds.Clone();
        _reference = (double[])referenceSeconds.Clone();
    }

    public int KnotCount => _own.Length;

    /// <summary>The knots on the stream's own clock, seconds.</summary>
    public IReadOnlyList<double> OwnKnots => _own;

    /// <summary>The knots on the reference clock, seconds.</summary>
    public IReadOnlyList<double> ReferenceKnots => _reference;

    public override string Method => "piecewise-linear";

    public override double ToReference(double ownSeconds) => Interpolate(_own, _reference, ownSeconds);

    public override double ToOwn(double referenceSeconds) => Interpolate(_reference, _own, referenceSeconds);

    public override string Describe() =>
        $"piecewise-linear: {_own.Length} knots from own {_own[0]:R} s to {_own[^1]:R} s";

    private static double Interpolate(double[] x, double[] y, double value)
    {
        int i = Array.BinarySearch(x, value);
        if (i >= 0)
        {
            return y[i];
        }

        // Segment [j, j+1] containing value, clamped to the end segments for extrapolation.
        int j = Math.Clamp(~i - 1, 0, x.Length - 2);
        double slope = (y[j + 1] - y[j]) / (x[j + 1] - x[j]);
        return y[j] + (slope * (value - x[j]));
    }
}
