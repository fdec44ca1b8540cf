using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using NeuroAlign.Alignment;
using NeuroAlign.Sessions;
using NeuroAlign.Streams;

namespace NeuroAlign.Report;

/// <summary>What a written report holds: its path, the figures drawn and the warnings listed.</summary>
public sealed record ReportResult(string HtmlPath, IReadOnlyList<ReportFigure> Figures, IReadOnlyList<string> Warnings, IReadOnlyList<int> WindowsDrawn);

/// <summary>
/// The QC report of one export (issue 23): one self-contained HTML file, images inlined as PNG,
/// readable offline. Sections: summary, timeline, sync, windows. Reads the export's attributes,
/// /sync and the few windows it draws, never the others.
/// </summary>
public static class HtmlReport
{
    /// <summary>Windows drawn in the windows section.</summary>
    public const int DefaultWindowsDrawn = 3;

    /// <summary>The report's own version and that of its plotting library, for the summary.</summary>
    public static string Versions { get; } =
        $"NeuroAlign.Report {typeof(HtmlReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]}, "
        + $"ScottPlot {typeof(ScottPlot.Plot).Assembly.GetName().Version?.ToString(3)}";

    /// <summary>The report's default name: the export's, with .html for .h5.</summary>
    public static string DefaultPath(string exportPath) => Path.ChangeExtension(exportPath, ".report.html");

    /// <summary>Writes the report of <paramref name="exportPath"/> to <paramref name="htmlPath"/> (through a temporary file: a finished report or none).</summary>
    public static ReportResult Write(string exportPath, string htmlPath, int windowsDrawn = DefaultWindowsDrawn)
    {
        ArgumentNullException.ThrowIfNull(exportPath);
        ArgumentNullException.ThrowIfNull(htmlPath);
        using ExportSummary export = ExportSummary.Open(exportPath);
        Plotting.Require();
        var figures = new List<ReportFigure>();
        var html = new StringBuilder();
        List<string> warnings = Warnings(export);
        string title = $"NeuroAlign QC report: {Path.GetFileName(exportPath)}";
        Header(html, title, Path.GetFullPath(exportPath));

        // Summary.
        html.Append("<section id=\"summary\"><h2>Summary</h2>\n<table>\n");
        IReadOnlyDictionary<string, object> root = export.RootAttributes;
        Row(html, "windows", $"{export.WindowTimes.Count} ({export.IncompleteWindows.Count(i => i)} reach outside a recording)");
        Row(html, "window", $"[t − {Seconds(export.BeforeSeconds)}, t + {Seconds(export.AfterSeconds)}) s, times from {ExportSummary.Text(root, OutputSchema.WindowSourceAttribute) ?? "?"}");
        Row(html, "reference clock", ExportSummary.Text(root, OutputSchema.ReferenceStreamAttribute) ?? "?");
        if (ExportSummary.Text(root, OutputSchema.FilterAttribute) is { } filter)
        {
            Row(html, "filter", filter);
        }

        Row(html, "command line", ExportSummary.Text(root, OutputSchema.CommandLineAttribute) ?? "?", code: true);
        Row(html, "written", $"{ExportSummary.Text(root, OutputSchema.CreatedAttribute) ?? "?"} by NeuroAlign {ExportSummary.Text(root, OutputSchema.NeuroAlignVersionAttribute) ?? "?"} (schema {ExportSummary.Text(root, OutputSchema.SchemaVersionAttribute) ?? "?"})");
        Row(html, "report", $"{DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} by {Versions}");
        html.Append("</table>\n<table>\n<tr><th>stream</th><th>modality</th><th>source</th><th>rate (Hz): native → output</th><th>per window</th><th>span on the reference clock (s)</th><th>samples outside</th><th>kept fraction</th><th>clock</th></tr>\n");
        for (int m = 0; m < export.Modalities.Count; m++)
        {
            ModalityLayout s = export.Modalities[m];
            IReadOnlyDictionary<string, object> a = s.Attributes;
            double[]? kept = export.Reader.KeptFractions(m);
            (double Start, double End)? span = ExportSummary.Span(s);
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(s.Name)}</td><td>{E(ExportSummary.Text(a, OutputSchema.ModalityAttribute) ?? "?")}</td><td>{E(ExportSummary.Text(a, "format") ?? "")}: <code>{E(ExportSummary.Text(a, "source_path") ?? "")}</code></td>"
                + $"<td>{Number(ExportSummary.Number(a, "native_rate_hz"))} → {Number(ExportSummary.Number(a, "output_rate_hz"))}</td><td>{s.PointsPerWindow} × {E(string.Join(" × ", s.SampleShape))} {s.DataType.ToText()}</td>"
                + $"<td>{(span is { } sp ? $"{Seconds(sp.Start)} to {Seconds(sp.End)}" : "not recorded")}</td><td>{Number(ExportSummary.Number(a, "samples_outside"))} in {Number(ExportSummary.Number(a, "windows_incomplete"))} window(s)</td>"
                + $"<td>{(kept is null ? "no filter" : (kept.Length == 0 ? 0 : kept.Average()).ToString("P2", CultureInfo.InvariantCulture))}</td><td>{E(ExportSummary.Text(a, "clock_assumption") ?? (export.Modalities[m].SyncAttributes is null ? "the reference" : ""))}</td></tr>\n");
        }

        html.Append("</table>\n<h3>Warnings</h3>\n");
        html.Append(warnings.Count == 0 ? "<p>none</p>\n" : "<ul>\n" + string.Concat(warnings.Select(w => $"<li class=\"warn\">{E(w)}</li>\n")) + "</ul>\n");
        html.Append("</section>\n");

        // Timeline.
        html.Append("<section id=\"timeline\"><h2>Timeline</h2>\n");
        ReportFigure timeline = TimelineFigure.Draw(export);
        Figure(html, figures, timeline);
        html.Append("</section>\n");

        // Sync.
        html.Append("<section id=\"sync\"><h2>Sync</h2>\n");
        var fitted = export.Modalities.Where(m => m.SyncAttributes != null).ToList();
        if (fitted.Count == 0)
        {
            html.Append("<p>No stream was fitted to the reference clock: every stream starts at zero on its own clock (docs/sync.md).</p>\n");
        }

        foreach (ModalityLayout m in fitted)
        {
            SyncData sync = SyncData.FromExport(m)!;
            html.Append(CultureInfo.InvariantCulture, $"<h3>{E(m.Name)}: {E(sync.Method)}, drift {sync.DriftPpm.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture)} ppm</h3>\n<table>\n");
            foreach (var (key, value) in m.SyncAttributes!.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                Row(html, key, Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
            }

            html.Append("</table>\n");
            if (sync.PulseSeconds.Count > 0)
            {
                Figure(html, figures, SyncFigures.Residuals(sync));
                Figure(html, figures, SyncFigures.Drift(sync));
            }
            else
            {
                html.Append("<p>No per-pulse figures in this file (an offset given by hand, or a file written before /sync kept its pulses).</p>\n");
            }
        }

        html.Append("</section>\n");

        // Windows.
        IReadOnlyList<int> drawn = export.WindowsToDraw(windowsDrawn);
        html.Append("<section id=\"windows\"><h2>Windows</h2>\n");
        html.Append(CultureInfo.InvariantCulture, $"<p>{drawn.Count} of {export.WindowTimes.Count} windows, as a user would look at them.</p>\n");
        foreach (int w in drawn)
        {
            html.Append(CultureInfo.InvariantCulture, $"<h3>window {w}: t = {Seconds(export.WindowTimes[w])} s{(export.IncompleteWindows[w] ? " (reaches outside a recording)" : "")}</h3>\n");
            foreach (ReportFigure figure in WindowFigures.Draw(export, w))
            {
                Figure(html, figures, figure);
            }
        }

        html.Append("</section>\n</body></html>\n");

        Save(html, htmlPath);
        return new ReportResult(htmlPath, figures, warnings, drawn);
    }

    /// <summary>
    /// The report of <c>neuro-align sync --report</c>, which exports nothing: the streams' spans on the
    /// reference clock and every fit's residual and drift plots.
    /// </summary>
    public static ReportResult WriteSync(string htmlPath, string commandLine, IReadOnlyList<TimelineRow> streams)
    {
        ArgumentNullException.ThrowIfNull(htmlPath);
        ArgumentNullException.ThrowIfNull(streams);
        Plotting.Require();
        var figures = new List<ReportFigure>();
        var html = new StringBuilder();
        Header(html, "NeuroAlign QC report: clock fits (neuro-align sync)", commandLine);
        html.Append(CultureInfo.InvariantCulture, $"<section id=\"summary\"><h2>Summary</h2>\n<table>\n");
        Row(html, "command line", commandLine, code: true);
        Row(html, "report", $"{DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)} by {Versions}");
        html.Append("</table>\n</section>\n<section id=\"timeline\"><h2>Timeline</h2>\n");
        Figure(html, figures, TimelineFigure.Draw(streams, [], [], 0, 0));
        html.Append("</section>\n<section id=\"sync\"><h2>Sync</h2>\n");
        foreach (SyncData sync in streams.Select(s => s.Sync).OfType<SyncData>())
        {
            html.Append(CultureInfo.InvariantCulture, $"<h3>{E(sync.Stream)}: {E(sync.Method)}, drift {sync.DriftPpm.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture)} ppm</h3>\n");
            if (sync.PulseSeconds.Count > 0)
            {
                Figure(html, figures, SyncFigures.Residuals(sync));
                Figure(html, figures, SyncFigures.Drift(sync));
            }
        }

        html.Append("</section>\n</body></html>\n");
        Save(html, htmlPath);
        return new ReportResult(htmlPath, figures, [], []);
    }

    /// <summary>
    /// The index page of a batch: one row per session with its windows, warnings and a link to its
    /// report (relative, so the folder can be moved); sessions without a report say so.
    /// </summary>
    public static void WriteIndex(string htmlPath, string commandLine, IReadOnlyList<(string Session, string ExportPath, string ReportPath)> sessions)
    {
        ArgumentNullException.ThrowIfNull(htmlPath);
        ArgumentNullException.ThrowIfNull(sessions);
        var html = new StringBuilder();
        Header(html, "NeuroAlign QC report: index of a batch", commandLine);
        html.Append("<table>\n<tr><th>session</th><th>windows</th><th>warnings</th><th>report</th></tr>\n");
        string folder = Path.GetDirectoryName(Path.GetFullPath(htmlPath)) ?? ".";
        foreach (var (session, exportPath, reportPath) in sessions)
        {
            if (!File.Exists(reportPath) || !File.Exists(exportPath))
            {
                html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(session)}</td><td colspan=\"3\" class=\"warn\">no report: the session's export is missing (failed, or not run yet)</td></tr>\n");
                continue;
            }

            using ExportSummary export = ExportSummary.Open(exportPath);
            List<string> warnings = Warnings(export);
            string link = Path.GetRelativePath(folder, Path.GetFullPath(reportPath)).Replace('\\', '/');
            html.Append(CultureInfo.InvariantCulture, $"<tr><td>{E(session)}</td><td>{export.WindowTimes.Count}</td><td{(warnings.Count > 0 ? " class=\"warn\"" : "")}>{(warnings.Count == 0 ? "none" : E(string.Join("; ", warnings)))}</td>"
                + $"<td><a href=\"{E(Uri.EscapeDataString(link).Replace("%2F", "/", StringComparison.Ordinal))}\">{E(link)}</a></td></tr>\n");
        }

        html.Append("</table>\n</body></html>\n");
        Save(html, htmlPath);
    }

    /// <summary>Writes through a temporary file beside the target: a finished report or none.</summary>
    private static void Save(StringBuilder html, string htmlPath)
    {
        string? folder = Path.GetDirectoryName(Path.GetFullPath(htmlPath));
        string temporary = Path.Combine(folder ?? ".", $".{Path.GetFileName(htmlPath)}.{Environment.ProcessId}.partial");
        try
        {
            File.WriteAllText(temporary, html.ToString(), new UTF8Encoding(false));
            File.Move(temporary, htmlPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static void Header(StringBuilder html, string title, string subtitle) =>
        html.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{E(title)}</title>
            <style>
            body {'{'} font-family: sans-serif; margin: 1.5em; color: #111; max-width: 1400px; {'}'}
            table {'{'} border-collapse: collapse; margin: 0.5em 0; font-size: 0.9em; {'}'}
            td, th {'{'} border: 1px solid #bbb; padding: 0.2em 0.5em; text-align: left; vertical-align: top; {'}'}
            figure {'{'} display: inline-block; margin: 0.5em; vertical-align: top; {'}'}
            figcaption {'{'} font-size: 0.85em; max-width: 640px; {'}'}
            .warn {'{'} color: #D55E00; {'}'}
            code {'{'} word-break: break-all; {'}'}
            </style></head><body>
            <h1>{E(title)}</h1>
            <p>{E(subtitle)}</p>

            """);

    /// <summary>What deserves a look before training on the export.</summary>
    internal static List<string> Warnings(ExportSummary export)
    {
        var warnings = new List<string>();
        int incomplete = export.IncompleteWindows.Count(i => i);
        if (incomplete > 0)
        {
            warnings.Add($"{incomplete} of {export.WindowTimes.Count} windows reach outside a recording (their rows there have source_index -1 and zero data)");
        }

        foreach (ModalityLayout m in export.Modalities)
        {
            if (ExportSummary.Number(m.Attributes, "samples_outside") is > 0 and { } outside)
            {
                warnings.Add($"{m.Name}: {outside} samples fell outside the recording");
            }

            if (ExportSummary.Number(m.Attributes, OutputSchema.FramesRepeatedAttribute) is > 0 and { } repeated)
            {
                warnings.Add($"{m.Name}: frames repeated: {repeated} (each under half the median interval after the frame before)");
            }

            if (m.SyncAttributes is not { } a)
            {
                continue;
            }

            double? max = ExportSummary.Number(a, OutputSchema.SyncMaxResidualAttribute), tolerance = ExportSummary.Number(a, "tolerance_s");
            if (max is { } mx && tolerance is { } tol && tol > 0 && mx > 0.5 * tol)
            {
                warnings.Add($"{m.Name}: the largest sync residual is {mx / tol:P0} of the tolerance");
            }

            foreach (var (key, what) in new[] { ("frames_dropped", "frames dropped"), ("pulses_unmatched", "sync pulses unmatched"), ("samples_without_pulse", "samples without a pulse of their own (timed from their neighbours)"), ("trailing_pulses_ignored", "trailing pulses unused") })
            {
                if (ExportSummary.Number(a, key) is > 0 and { } count)
                {
                    warnings.Add($"{m.Name}: {what}: {count}");
                }
            }

            if (ExportSummary.Text(a, "notes") is { } notes)
            {
                warnings.Add($"{m.Name}: {notes}");
            }
        }

        warnings.AddRange(export.Reader.UnknownObjects.Select(o => $"{o}: not part of the schema; left out of the report"));
        return warnings;
    }

    private static void Figure(StringBuilder html, List<ReportFigure> figures, ReportFigure f)
    {
        figures.Add(f);
        string n(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        html.Append(CultureInfo.InvariantCulture,
            $"<figure id=\"fig-{E(f.Id)}\" data-figure=\"{E(f.Id)}\" data-x-min=\"{n(f.Limits.Left)}\" data-x-max=\"{n(f.Limits.Right)}\" data-y-min=\"{n(f.Limits.Bottom)}\" data-y-max=\"{n(f.Limits.Top)}\" "
            + $"data-plot=\"{n(f.DataRect.Left)},{n(f.DataRect.Top)},{n(f.DataRect.Right)},{n(f.DataRect.Bottom)}\">"
            + $"<img width=\"{f.Width}\" height=\"{f.Height}\" alt=\"{E(f.Caption)}\" src=\"data:image/png;base64,{Convert.ToBase64String(f.Png)}\">"
            + $"<figcaption>{E(f.Caption)}</figcaption></figure>\n");
    }

    private static void Row(StringBuilder html, string key, string value, bool code = false) =>
        html.Append(CultureInfo.InvariantCulture, $"<tr><th>{E(key)}</th><td>{(code ? $"<code>{E(value)}</code>" : E(value))}</td></tr>\n");

    private static string Number(double? v) => v is { } x ? x.ToString("G6", CultureInfo.InvariantCulture) : "?";

    private static string Seconds(double s) => s.ToString("0.######", CultureInfo.InvariantCulture);

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
