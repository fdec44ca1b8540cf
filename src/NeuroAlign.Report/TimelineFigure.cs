using System.Globalization;
using NeuroAlign.Sessions;
using ScottPlot;

namespace NeuroAlign.Report;

/// <summary>
/// The whole session at once: every stream's span on the reference clock (one row each), the gaps
/// in its strobe train (dropped frames), a video's repeated frames, dummy scans before an fMRI run, and the windows as ticks on
/// the top row (those reaching outside a stream in vermillion). Drawn from attributes and /sync
/// only: no window's data is read.
/// </summary>
public static class TimelineFigure
{
    /// <summary>A window is incomplete when [t − before, t + after) reaches outside any stream's span.</summary>
    public static bool[] Incomplete(IReadOnlyList<double> windowTimes, double before, double after, IReadOnlyList<(double Start, double End)> spans)
    {
        ArgumentNullException.ThrowIfNull(windowTimes);
        ArgumentNullException.ThrowIfNull(spans);
        var incomplete = new bool[windowTimes.Count];
        for (int w = 0; w < incomplete.Length; w++)
        {
            double a = windowTimes[w] - before, b = windowTimes[w] + after;
            incomplete[w] = spans.Any(s => a < s.Start || b > s.End);
        }

        return incomplete;
    }

    /// <summary>Draws the timeline of <paramref name="export"/>.</summary>
    public static ReportFigure Draw(ExportSummary export, int width = 1000)
    {
        ArgumentNullException.ThrowIfNull(export);
        return Draw(
            [.. export.Modalities.Select(m => new TimelineRow(m.Name, m.Attributes.GetValueOrDefault(OutputSchema.ModalityAttribute) as string ?? "", ExportSummary.Span(m), SyncData.FromExport(m)) { Gaps = ExportSummary.Gaps(m), RepeatedFrameSeconds = ExportSummary.RepeatedFrames(m) })],
            export.WindowTimes,
            export.IncompleteWindows,
            export.BeforeSeconds,
            export.AfterSeconds,
            width);
    }

    /// <summary>Draws streams' spans (and windows, when there are any) on the reference clock.</summary>
    public static ReportFigure Draw(IReadOnlyList<TimelineRow> streams, IReadOnlyList<double> windowTimes, bool[] incomplete, double beforeSeconds, double afterSeconds, int width = 1000)
    {
        ArgumentNullException.ThrowIfNull(streams);
        ArgumentNullException.ThrowIfNull(windowTimes);
        ArgumentNullException.ThrowIfNull(incomplete);
        int rows = streams.Count + 1;
        int height = 110 + (rows * 42);
        var plot = new Plot();
        var labels = new List<string>();
        var positions = new List<double>();
        double lo = double.PositiveInfinity, hi = double.NegativeInfinity;

        // Row 0 (top): the windows.
        double windowRow = rows - 1;
        positions.Add(windowRow);
        labels.Add("windows");
        double[] times = [.. windowTimes];
        AddTicks(plot, [.. times.Where((_, w) => !incomplete[w])], windowRow, Palette.Blue, $"{incomplete.Count(i => !i)} windows");
        AddTicks(plot, [.. times.Where((_, w) => incomplete[w])], windowRow, Palette.Vermillion, $"{incomplete.Count(i => i)} incomplete");
        if (times.Length > 0)
        {
            lo = Math.Min(lo, times.Min() - beforeSeconds);
            hi = Math.Max(hi, times.Max() + afterSeconds);
        }

        for (int m = 0; m < streams.Count; m++)
        {
            TimelineRow s = streams[m];
            double row = rows - 2 - m;
            positions.Add(row);
            labels.Add(s.Name);
            if (s.Span is not { } span)
            {
                continue;
            }

            lo = Math.Min(lo, span.Start);
            hi = Math.Max(hi, span.End);
            // One bar per stretch with samples: a recording's gaps (a run's triggers) stay empty.
            double from = span.Start;
            foreach ((double gapStart, double gapEnd) in s.Gaps.Append((span.End, span.End)))
            {
                if (gapStart > from)
                {
                    var bar = plot.Add.Rectangle(from, Math.Min(gapStart, span.End), row - 0.3, row + 0.3);
                    bar.FillStyle.Color = Palette.Of(m).WithAlpha(0.6);
                    bar.LineStyle.Color = Palette.Of(m);
                }

                from = Math.Max(from, gapEnd);
            }

            if (s.RepeatedFrameSeconds.Count > 0)
            {
                // Black diamonds, apart from the dropped frames' vermillion ✕ by shape and colour.
                double[] at = [.. s.RepeatedFrameSeconds];
                var r = plot.Add.ScatterPoints(at, at.Select(_ => row).ToArray(), Palette.Black);
                r.MarkerShape = MarkerShape.FilledDiamond;
                r.MarkerSize = 10;
                r.LegendText = $"{at.Length} repeated frame(s) (under half an interval after the one before)";
            }

            if (s.Sync is { } sync)
            {
                double[] gaps = [.. sync.Gaps()];
                if (gaps.Length > 0)
                {
                    var x = plot.Add.ScatterPoints(gaps, gaps.Select(_ => row).ToArray(), Palette.Vermillion);
                    x.MarkerShape = MarkerShape.Eks;
                    x.MarkerSize = 14;
                    x.MarkerLineWidth = 2.5f;
                    x.LegendText = "dropped frames (gaps in the strobe train)";
                }

                if (sync.LeadingPulsesSkipped is > 0 and { } dummies && s.Modality == "fmri" && sync.PulseSeconds.Count >= 2)
                {
                    // Dummy scans: triggers before the first recorded volume, one interval apart.
                    double interval = (sync.PulseSeconds[^1] - sync.PulseSeconds[0]) / (sync.PulseSeconds.Count - 1);
                    double[] at = [.. Enumerable.Range(1, (int)dummies).Select(k => span.Start - (k * interval))];
                    var d = plot.Add.ScatterPoints(at, at.Select(_ => row).ToArray(), Palette.ReddishPurple);
                    d.MarkerShape = MarkerShape.OpenSquare;
                    d.MarkerSize = 11;
                    d.MarkerLineWidth = 2.5f;
                    d.LegendText = $"{dummies} dummy scans";
                    lo = Math.Min(lo, at.Min() - (interval / 2));
                }
            }

            string what = string.Create(CultureInfo.InvariantCulture, $"{span.Start:0.###} to {span.End:0.###} s");
            plot.Add.Text(what, span.Start, row + 0.32).LabelFontSize = 11;
        }

        if (!double.IsFinite(lo))
        {
            (lo, hi) = (0, 1);
        }

        double margin = Math.Max((hi - lo) * 0.02, 1e-3);
        plot.Axes.SetLimits(lo - margin, hi + margin, -0.7, rows - 0.3);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual([.. positions], [.. labels]);
        plot.XLabel("time on the reference clock (s)");
        plot.Title("Session timeline");
        plot.ShowLegend(Edge.Right);
        return ReportFigure.Render(plot, "timeline", "Every stream's span on the reference clock (empty where a recording has a gap); ticks on the top row: the windows (vermillion: reaching outside a recording); ✕: a dropped frame; ◆: a repeated frame; open squares: dummy scans before the fMRI run.", width, height);
    }

    private static void AddTicks(Plot plot, double[] times, double row, Color color, string legend)
    {
        if (times.Length == 0)
        {
            return;
        }

        var ticks = plot.Add.ScatterPoints(times, times.Select(_ => row).ToArray(), color);
        ticks.MarkerShape = MarkerShape.VerticalBar;
        ticks.MarkerSize = 18;
        ticks.MarkerLineWidth = 1.5f;
        ticks.LegendText = legend;
    }
}

/// <summary>One stream's row of the timeline: its name, modality, span on the reference clock (when known) and its fit (when fitted).</summary>
public sealed record TimelineRow(string Name, string Modality, (double Start, double End)? Span, SyncData? Sync)
{
    /// <summary>Stretches of the span without samples (reference seconds), drawn empty.</summary>
    public IReadOnlyList<(double Start, double End)> Gaps { get; init; } = [];

    /// <summary>Video: the reference times of frames that repeat the one before (/m/repeated_frame_times_s).</summary>
    public IReadOnlyList<double> RepeatedFrameSeconds { get; init; } = [];
}
