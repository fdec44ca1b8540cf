using System.Globalization;
using NeuroAlign.Time;

namespace NeuroAlign.Sync;

/// <summary>What a fit of one clock to another must achieve.</summary>
public sealed record ClockFitOptions
{
    /// <summary>Default drift limit: crystal clocks of acquisition hardware stay far inside ±500 ppm.</summary>
    public const double DefaultMaxDriftPpm = 500;

    /// <summary>Default residual limit in samples of the slower stream (issue 7).</summary>
    public const double DefaultMaxResidualSamples = 2.5;

    /// <summary>Largest residual accepted, seconds (2.5 samples of the slower stream, usually).</summary>
    public required double MaxResidualSeconds { get; init; }

    /// <summary>What <see cref="MaxResidualSeconds"/> is, for messages ("2.5 samples at 25000 Hz").</summary>
    public string? ToleranceText { get; init; }

    /// <summary>Largest |slope - 1| accepted, ppm, for the whole fit and each segment.</summary>
    public double MaxDriftPpm { get; init; } = DefaultMaxDriftPpm;

    /// <summary>Whether a piecewise-linear map may be fitted when a line's residuals exceed the tolerance.</summary>
    public bool AllowPiecewise { get; init; } = true;

    /// <summary>Fewest pulses in a segment of a piecewise-linear map: fewer would follow noise, not drift.</summary>
    public int MinPulsesPerSegment { get; init; } = 10;

    /// <summary>The tolerance for two streams: 2.5 samples of the slower one (pulse lists have no rate of their own).</summary>
    public static ClockFitOptions ForResolutions(double? ownResolutionSeconds, double? referenceResolutionSeconds, double maxDriftPpm = DefaultMaxDriftPpm)
    {
        double period = Math.Max(ownResolutionSeconds ?? 0, referenceResolutionSeconds ?? 0);
        if (!(period > 0))
        {
            throw new ArgumentException("at least one of the two pulse trains must come from a sampled line");
        }

        return new ClockFitOptions
        {
            MaxResidualSeconds = DefaultMaxResidualSamples * period,
            ToleranceText = $"{DefaultMaxResidualSamples.ToString(CultureInfo.InvariantCulture)} samples at {(1 / period).ToString("G6", CultureInfo.InvariantCulture)} Hz",
            MaxDriftPpm = maxDriftPpm,
        };
    }
}

/// <summary>
/// Fits own clock → reference clock through matched pulse pairs: a least-squares line (offset +
/// drift); when its residuals exceed the tolerance (drift that wanders over a long session), a
/// continuous piecewise-linear map whose knots are added where the residual is worst. A fit whose
/// residuals or drift stay outside the limits is refused with its figures.
/// </summary>
public static class ClockFitter
{
    /// <param name="name">The modality, for messages.</param>
    /// <param name="ownSeconds">Matched pulses on the stream's own clock, increasing.</param>
    /// <param name="referenceSeconds">The same pulses on the reference clock.</param>
    /// <param name="options">Limits.</param>
    /// <exception cref="NeuroAlignException">The fit is outside the limits; one line with the figures.</exception>
    public static ClockFit Fit(string name, IReadOnlyList<double> ownSeconds, IReadOnlyList<double> referenceSeconds, ClockFitOptions options)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(ownSeconds);
        ArgumentNullException.ThrowIfNull(referenceSeconds);
        ArgumentNullException.ThrowIfNull(options);
        int n = ownSeconds.Count;
        if (n != referenceSeconds.Count)
        {
            throw new ArgumentException("as many own as reference times are needed");
        }

        if (n < 2)
        {
            throw new NeuroAlignException($"{name}: clock fit refused: {n} pulse(s) matched, at least 2 are needed for offset and drift");
        }

        (double slope, double offset) = Line(ownSeconds, referenceSeconds, 0, n);
        double[] residuals = new double[n];
        for (int i = 0; i < n; i++)
        {
            residuals[i] = referenceSeconds[i] - ((slope * ownSeconds[i]) + offset);
        }

        (double rms, double max, _) = Stats(residuals);
        double drift = (slope - 1) * 1e6;
        string Figures(double r, double m, int segments) =>
            $"slope {slope.ToString("R", CultureInfo.InvariantCulture)} (drift {drift.ToString("+0.000;-0.000", CultureInfo.InvariantCulture)} ppm), "
            + $"offset {offset.ToString("F6", CultureInfo.InvariantCulture)} s, residual rms {ClockFit.Micro(r)} max {ClockFit.Micro(m)} "
            + $"(tolerance {ClockFit.Micro(options.MaxResidualSeconds)}{(options.ToleranceText is null ? "" : ": " + options.ToleranceText)}), "
            + $"{n} pulses matched" + (segments > 1 ? $", {segments} segments" : "");

        if (Math.Abs(drift) > options.MaxDriftPpm)
        {
            throw new NeuroAlignException(
                $"{name}: clock fit refused: drift {drift.ToString("+0.0;-0.0", CultureInfo.InvariantCulture)} ppm is outside ±{options.MaxDriftPpm.ToString("G", CultureInfo.InvariantCulture)} ppm ({Sessions.SyncSettings.MaxDriftPpm}): {Figures(rms, max, 1)}");
        }

        if (max <= options.MaxResidualSeconds)
        {
            return new ClockFit(name, "linear", ClockMap.Linear(slope, offset), slope, offset, rms, max, n)
            {
                Pulses = FitPulses.Of(ownSeconds, referenceSeconds, residuals),
                ToleranceSeconds = options.MaxResidualSeconds,
                ToleranceText = options.ToleranceText,
            };
        }

        if (!options.AllowPiecewise)
        {
            throw new NeuroAlignException($"{name}: clock fit refused: max residual exceeds the tolerance: {Figures(rms, max, 1)}");
        }

        // Piecewise: knots at the first and last pulse, then one more at the worst residual until all
        // fit, keeping every segment at MinPulsesPerSegment pulses or more.
        var knots = new List<int> { 0, n - 1 };
        string stuck;
        while (true)
        {
            double[] delta = FitKnots(ownSeconds, residuals, knots);
            var fitted = new double[n];
            for (int i = 0; i < n; i++)
            {
                fitted[i] = residuals[i] - Evaluate(ownSeconds, knots, delta, i);
            }

            (rms, max, int worst) = Stats(fitted);
            if (max <= options.MaxResidualSeconds)
            {
                var ownKnots = knots.Select(k => ownSeconds[k]).ToArray();
                var referenceKnots = knots.Select((k, j) => (slope * ownSeconds[k]) + offset + delta[j]).ToArray();
                for (int j = 1; j < ownKnots.Length; j++)
                {
                    double segmentDrift = (((referenceKnots[j] - referenceKnots[j - 1]) / (ownKnots[j] - ownKnots[j - 1])) - 1) * 1e6;
                    if (Math.Abs(segmentDrift) > options.MaxDriftPpm)
                    {
                        throw new NeuroAlignException(
                            $"{name}: clock fit refused: segment {j} (own {ownKnots[j - 1]:F3} s to {ownKnots[j]:F3} s) drifts {segmentDrift.ToString("+0.0;-0.0", CultureInfo.InvariantCulture)} ppm, outside ±{options.MaxDriftPpm.ToString("G", CultureInfo.InvariantCulture)} ppm: {Figures(rms, max, knots.Count - 1)}");
                    }
                }

                return new ClockFit(name, "piecewise-linear", new PiecewiseLinearClockMap(ownKnots, referenceKnots), slope, offset, rms, max, n)
                {
                    Pulses = FitPulses.Of(ownSeconds, referenceSeconds, fitted),
                    ToleranceSeconds = options.MaxResidualSeconds,
                    ToleranceText = options.ToleranceText,
                    Segments = knots.Count - 1,
                };
            }

            int segment = knots.FindIndex(k => k >= worst) - 1;
            segment = Math.Max(segment, 0);
            int lo = knots[segment], hi = knots[segment + 1];
            if (hi - lo < 2 * options.MinPulsesPerSegment)
            {
                stuck = $"a piecewise fit would need segments shorter than {options.MinPulsesPerSegment} pulses (pulse {worst}, own {ownSeconds[worst]:F3} s, is {ClockFit.Micro(Math.Abs(fitted[worst]))} off with {knots.Count - 1} segments)";
                break;
            }

            knots.Insert(segment + 1, Math.Clamp(worst, lo + options.MinPulsesPerSegment, hi - options.MinPulsesPerSegment));
        }

        throw new NeuroAlignException($"{name}: clock fit refused: residuals exceed the tolerance and {stuck}: {Figures(rms, max, knots.Count - 1)}");
    }

    /// <summary>Least-squares line y = slope · x + offset through points [start, start + count), centred for precision.</summary>
    internal static (double Slope, double Offset) Line(IReadOnlyList<double> x, IReadOnlyList<double> y, int start, int count)
    {
        double mx = 0, my = 0;
        for (int i = start; i < start + count; i++)
        {
            mx += x[i];
            my += y[i];
        }

        mx /= count;
        my /= count;
        double sxx = 0, sxy = 0;
        for (int i = start; i < start + count; i++)
        {
            double dx = x[i] - mx;
            sxx += dx * dx;
            sxy += dx * (y[i] - my);
        }

        double slope = sxx > 0 ? sxy / sxx : 1;
        return (slope, my - (slope * mx));
    }

    private static (double Rms, double Max, int Worst) Stats(double[] residuals)
    {
        double sum = 0, max = 0;
        int worst = 0;
        for (int i = 0; i < residuals.Length; i++)
        {
            double r = residuals[i];
            sum += r * r;
            if (Math.Abs(r) > max)
            {
                max = Math.Abs(r);
                worst = i;
            }
        }

        return (Math.Sqrt(sum / residuals.Length), max, worst);
    }

    /// <summary>
    /// Least-squares values at the knots of a continuous piecewise-linear function of x through y:
    /// hat basis functions make the normal equations tridiagonal (solved by the Thomas algorithm).
    /// </summary>
    private static double[] FitKnots(IReadOnlyList<double> x, double[] y, List<int> knots)
    {
        int m = knots.Count;
        var diag = new double[m];
        var upper = new double[m];
        var rhs = new double[m];
        for (int s = 0; s < m - 1; s++)
        {
            double x0 = x[knots[s]], x1 = x[knots[s + 1]];
            for (int i = knots[s]; i < knots[s + 1] + (s == m - 2 ? 1 : 0); i++)
            {
                double u = (x[i] - x0) / (x1 - x0);
                double a = 1 - u, b = u;
                diag[s] += a * a;
                diag[s + 1] += b * b;
                upper[s] += a * b;
                rhs[s] += a * y[i];
                rhs[s + 1] += b * y[i];
            }
        }

        // Thomas algorithm on the symmetric tridiagonal system.
        var c = new double[m];
        var d = new double[m];
        c[0] = upper[0] / diag[0];
        d[0] = rhs[0] / diag[0];
        for (int i = 1; i < m; i++)
        {
            double denominator = diag[i] - (upper[i - 1] * c[i - 1]);
            c[i] = i < m - 1 ? upper[i] / denominator : 0;
            d[i] = (rhs[i] - (upper[i - 1] * d[i - 1])) / denominator;
        }

        var values = new double[m];
        values[m - 1] = d[m - 1];
        for (int i = m - 2; i >= 0; i--)
        {
            values[i] = d[i] - (c[i] * values[i + 1]);
        }

        return values;
    }

    private static double Evaluate(IReadOnlyList<double> x, List<int> knots, double[] values, int i)
    {
        int s = knots.BinarySearch(i);
        if (s >= 0)
        {
            return values[s];
        }

        s = ~s - 1;
        double u = (x[i] - x[knots[s]]) / (x[knots[s + 1]] - x[knots[s]]);
        return ((1 - u) * values[s]) + (u * values[s + 1]);
    }
}
