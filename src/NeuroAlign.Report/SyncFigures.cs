using System.Globalization;
using NeuroAlign.Alignment;
using NeuroAlign.Sessions;
using NeuroAlign.Sync;
using ScottPlot;

namespace NeuroAlign.Report;

/// <summary>
/// What the sync plots of one fitted stream need, from a fit in memory (<c>sync --plot</c>) or from
/// an export's /sync/&lt;m&gt; (the report): the matched pulses on the reference clock with their
/// residuals and own-clock times, the tolerance, the line, and the knots of a piecewise fit.
/// </summary>
public sealed record SyncData(
    string Stream,
    string Method,
    double Slope,
    double OffsetSeconds,
    double ToleranceSeconds,
    double ResidualRmsSeconds,
    double MaxResidualSeconds,
    IReadOnlyList<double> PulseOwnSeconds,
    IReadOnlyList<double> PulseSeconds,
    IReadOnlyList<double> ResidualSeconds,
    IReadOnlyList<double> KnotSeconds,
    long? PulsesUnmatched,
    long? FramesDropped,
    long? LeadingPulsesSkipped)
{
    /// <summary>Shared pulses: the stream's pulses without a partner, on the reference clock.</summary>
    public IReadOnlyList<double> UnmatchedStreamSeconds { get; init; } = [];

    /// <summary>Shared pulses: the reference's pulses without a partner, on the reference clock.</summary>
    public IReadOnlyList<double> UnmatchedReferenceSeconds { get; init; } = [];

    /// <summary>(slope − 1) · 10⁶, positive when the stream's clock runs slow (docs/sync.md).</summary>
    public double DriftPpm => (Slope - 1) * 1e6;

    /// <summary>From a fit just made (<c>neuro-align sync</c>).</summary>
    public static SyncData FromFit(string stream, ClockFit fit)
    {
        ArgumentNullException.ThrowIfNull(fit);
        FitPulses pulses = fit.Pulses ?? new FitPulses([], [], []);
        double[] knots = fit.Method == "piecewise-linear" && fit.Map is NeuroAlign.Time.PiecewiseLinearClockMap piecewise ? [.. piecewise.ReferenceKnots] : [];
        return new SyncData(stream, fit.Method, fit.Slope, fit.OffsetSeconds, fit.ToleranceSeconds, fit.ResidualRmsSeconds, fit.MaxResidualSeconds,
            pulses.OwnSeconds, pulses.ReferenceSeconds, pulses.ResidualSeconds, knots, fit.PulsesUnmatched, fit.FramesDropped, fit.LeadingPulsesSkipped)
        {
            UnmatchedStreamSeconds = fit.UnmatchedStreamPulseSeconds,
            UnmatchedReferenceSeconds = fit.UnmatchedReferencePulseSeconds,
        };
    }

    /// <summary>From an export's /sync/&lt;m&gt; (attributes and datasets); null when the stream was not fitted.</summary>
    public static SyncData? FromExport(ModalityLayout m)
    {
        ArgumentNullException.ThrowIfNull(m);
        if (m.SyncAttributes is not { } a)
        {
            return null;
        }

        IReadOnlyDictionary<string, Array> d = m.SyncDatasets ?? new Dictionary<string, Array>();
        double[] Vector(string name) => d.TryGetValue(name, out Array? v) && v is double[] values ? values : [];
        double Number(string name) => a.TryGetValue(name, out object? v) ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : double.NaN;
        long? Count(string name) => a.TryGetValue(name, out object? v) ? Convert.ToInt64(v, CultureInfo.InvariantCulture) : null;
        return new SyncData(m.Name, a.TryGetValue("method", out object? method) ? (string)method : "?", Number("slope"), Number("offset_s"), Number("tolerance_s"),
            Number("residual_rms_s"), Number(OutputSchema.SyncMaxResidualAttribute), Vector(OutputSchema.PulseOwnTime), Vector(OutputSchema.PulseTime), Vector(OutputSchema.PulseResidual),
            Vector(OutputSchema.KnotTime), Count("pulses_unmatched"), Count("frames_dropped"), Count("leading_pulses_skipped"))
        {
            UnmatchedStreamSeconds = Vector(OutputSchema.UnmatchedStreamPulseTime),
            UnmatchedReferenceSeconds = Vector(OutputSchema.UnmatchedReferencePulseTime),
        };
    }

    /// <summary>
    /// Where the pulse train skips: the midpoint of every interval longer than 1.5 median intervals
    /// (a strobe's dropped frame: no exposure, no strobe), on the reference clock.
    /// </summary>
    public IReadOnlyList<double> Gaps()
    {
        if (PulseSeconds.Count < 3)
        {
            return [];
        }

        double[] intervals = [.. PulseSeconds.Zip(PulseSeconds.Skip(1), (a, b) => b - a)];
        double median = intervals.Order().ElementAt(intervals.Length / 2);
        return [.. intervals.Select((d, i) => (d, i)).Where(x => x.d > 1.5 * median).Select(x => (PulseSeconds[x.i] + PulseSeconds[x.i + 1]) / 2)];
    }
}

/// <summary>The sync plots: residuals against time with the tolerance band, and the drift.</summary>
public static class SyncFigures
{
    /// <summary>Where unmatched pulses are marked: this fraction of the half height, below zero (near the bottom axis).</summary>
    public const double UnmatchedRow = -0.88;

    /// <summary>Seconds shown as µs below 1 ms, else ms: the unit and the factor.</summary>
    public static (string Unit, double Scale) TimeUnit(double largestSeconds) =>
        largestSeconds < 1e-3 ? ("µs", 1e6) : ("ms", 1e3);

    /// <summary>
    /// Residual of every matched pulse against its reference time, the ±tolerance band shaded, the
    /// knots of a piecewise fit as dotted lines and the pulse train's gaps (dropped frames) as dashed ones.
    /// </summary>
    public static ReportFigure Residuals(SyncData s, int width = 640, int height = 320)
    {
        ArgumentNullException.ThrowIfNull(s);
        double largest = Math.Max(s.ResidualSeconds.Count > 0 ? s.ResidualSeconds.Max(Math.Abs) : 0, double.IsFinite(s.ToleranceSeconds) ? s.ToleranceSeconds : 0);
        (string unit, double scale) = TimeUnit(largest > 0 ? largest : 1e-6);
        var plot = new Plot();
        if (double.IsFinite(s.ToleranceSeconds))
        {
            var band = plot.Add.VerticalSpan(-s.ToleranceSeconds * scale, s.ToleranceSeconds * scale);
            band.FillStyle.Color = Palette.SkyBlue.WithAlpha(0.25);
            band.LineStyle.Width = 0;
            band.LegendText = $"tolerance ±{Micro(s.ToleranceSeconds)}";
        }

        foreach (double knot in s.KnotSeconds)
        {
            var line = plot.Add.VerticalLine(knot, 1, Palette.ReddishPurple);
            line.LinePattern = LinePattern.Dotted;
        }

        IReadOnlyList<double> gaps = s.Gaps();
        foreach (double gap in gaps)
        {
            var line = plot.Add.VerticalLine(gap, 1.5f, Palette.Vermillion);
            line.LinePattern = LinePattern.Dashed;
        }

        if (s.PulseSeconds.Count > 0)
        {
            var points = plot.Add.ScatterPoints(s.PulseSeconds.ToArray(), s.ResidualSeconds.Select(r => r * scale).ToArray(), Palette.Blue);
            points.MarkerSize = 6;
            points.LegendText = $"{s.PulseSeconds.Count} matched pulses";
        }

        double half = (largest > 0 ? largest : 1e-6) * scale * 1.15;

        // Unmatched pulses have no residual: marks along the bottom of the plot at their times.
        foreach (var (times, color, shape, legend) in new[]
        {
            (s.UnmatchedStreamSeconds, Palette.Orange, MarkerShape.FilledTriangleUp, $"{s.UnmatchedStreamSeconds.Count} of {s.Stream}'s pulses unmatched"),
            (s.UnmatchedReferenceSeconds, Palette.BluishGreen, MarkerShape.FilledTriangleDown, $"{s.UnmatchedReferenceSeconds.Count} of the reference's pulses unmatched"),
        })
        {
            if (times.Count > 0)
            {
                var marks = plot.Add.ScatterPoints(times.ToArray(), times.Select(_ => UnmatchedRow * half).ToArray(), color);
                marks.MarkerShape = shape;
                marks.MarkerSize = 11;
                marks.LegendText = legend;
            }
        }

        IEnumerable<double> all = s.PulseSeconds.Concat(s.UnmatchedStreamSeconds).Concat(s.UnmatchedReferenceSeconds);
        double first = all.DefaultIfEmpty(0).Min(), last = all.DefaultIfEmpty(1).Max();
        double margin = Math.Max((last - first) * 0.03, 1e-3);
        plot.Axes.SetLimits(first - margin, last + margin, -half, half);
        plot.XLabel("time on the reference clock (s)");
        plot.YLabel($"residual ({unit})");
        plot.Title($"{s.Stream}: {s.Method}, residual rms {Micro(s.ResidualRmsSeconds)}, max {Micro(s.MaxResidualSeconds)}");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        string extras = string.Concat(
            s.KnotSeconds.Count > 0 ? $"; dotted: the {s.KnotSeconds.Count} knots of the piecewise fit" : "",
            gaps.Count > 0 ? $"; dashed: {gaps.Count} gap(s) in the pulse train (dropped frames)" : "",
            s.PulsesUnmatched is > 0 ? $"; {s.PulsesUnmatched} pulse(s) unmatched{(s.UnmatchedStreamSeconds.Count + s.UnmatchedReferenceSeconds.Count > 0 ? ", marked at their times along the bottom (▲ the stream's, ▼ the reference's)" : "")}" : "");
        return ReportFigure.Render(plot, $"sync-{s.Stream}-residuals", $"{s.Stream}: each matched pulse's residual from the fit against its time; shaded: the tolerance{extras}.", width, height);
    }

    /// <summary>
    /// The stream's clock against the reference: (reference − own) of every pulse, less that of the
    /// first, with the fitted line: its slope is the drift.
    /// </summary>
    public static ReportFigure Drift(SyncData s, int width = 640, int height = 320)
    {
        ArgumentNullException.ThrowIfNull(s);
        var plot = new Plot();
        int n = s.PulseSeconds.Count;
        double c = n > 0 ? s.PulseSeconds[0] - s.PulseOwnSeconds[0] : 0;
        double[] lead = [.. Enumerable.Range(0, n).Select(i => s.PulseSeconds[i] - s.PulseOwnSeconds[i] - c)];
        double largest = lead.Length > 0 ? lead.Max(Math.Abs) : 0;
        (string unit, double scale) = TimeUnit(largest > 0 ? largest : 1e-6);
        if (n > 0)
        {
            double a = s.PulseOwnSeconds[0], b = s.PulseOwnSeconds[^1];
            double Fit(double own) => ((s.Slope * own) + s.OffsetSeconds - own - c) * scale;
            var line = plot.Add.Line(s.PulseSeconds[0], Fit(a), s.PulseSeconds[^1], Fit(b));
            line.LineColor = Palette.Orange;
            line.LineWidth = 2;
            line.LegendText = $"fit: drift {s.DriftPpm.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture)} ppm";
            var points = plot.Add.ScatterPoints(s.PulseSeconds.ToArray(), lead.Select(v => v * scale).ToArray(), Palette.Blue);
            points.MarkerSize = 6;
            points.LegendText = "pulses";
        }

        plot.XLabel("time on the reference clock (s)");
        plot.YLabel($"reference − own ({unit})");
        plot.Title($"{s.Stream}: drift {s.DriftPpm.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture)} ppm");
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        return ReportFigure.Render(plot, $"sync-{s.Stream}-drift", $"{s.Stream}: how far its clock falls behind the reference (positive: it runs slow); the line's slope is the fitted drift.", width, height);
    }

    /// <summary><c>sync --plot FILE.png</c>: every fitted stream's residual plot, one under the other, in one PNG.</summary>
    public static void SaveResidualsPng(IReadOnlyList<SyncData> fits, string path, int width = 800, int heightEach = 320)
    {
        ArgumentNullException.ThrowIfNull(fits);
        Plotting.Require();
        ReportFigure[] figures = [.. fits.Select(f => Residuals(f, width, heightEach))];
        using var surface = SkiaSharp.SKSurface.Create(new SkiaSharp.SKImageInfo(width, Math.Max(1, heightEach * figures.Length)));
        surface.Canvas.Clear(SkiaSharp.SKColors.White);
        for (int i = 0; i < figures.Length; i++)
        {
            using var image = SkiaSharp.SKImage.FromEncodedData(figures[i].Png);
            surface.Canvas.DrawImage(image, 0, i * heightEach);
        }

        using SkiaSharp.SKImage all = surface.Snapshot();
        using SkiaSharp.SKData png = all.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        using FileStream file = File.Create(path);
        png.SaveTo(file);
    }

    private static string Micro(double seconds) => double.IsFinite(seconds) ? ClockFit.Micro(seconds) : "n/a";
}
