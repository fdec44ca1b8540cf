using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Report;
using NeuroAlign.Sessions;

namespace NeuroAlign.Cli.Commands;

/// <summary>
/// `neuro-align report OUT.h5 [--html FILE]`, and `--report` on export, sync and batch: the QC
/// report of an export (issue 23; docs/report.md). The work is NeuroAlign.Report's.
/// </summary>
internal static class ReportCommand
{
    public static readonly Setting<string> Html = Setting.Text("html", "FILE", "where the report goes", defaultText: "OUT.report.html beside the export");

    public static readonly Setting<bool> WithReport = Setting.Switch("report", "also write the QC report: OUT.report.html beside the output (sync: sync-report.html), with the timeline, sync plots and a few windows (docs/report.md)");

    public static readonly IReadOnlyList<Setting> Settings = [Html, ExportSettings.Overwrite];

    public static int Run(ParsedArgs args, CliContext context)
    {
        if (args.Positionals.Count != 1)
        {
            throw new UsageException(args.Positionals.Count == 0
                ? "report needs the export: neuro-align report OUT.h5 [--html FILE]"
                : $"unexpected argument '{args.Positionals[1]}': report takes one export");
        }

        string export = args.Positionals[0];
        string html = args.Values.Find(Html) ?? HtmlReport.DefaultPath(export);
        CheckTarget(html, args.Values.Has(ExportSettings.Overwrite));
        Write(export, html, context);
        return 0;
    }

    /// <summary>Writes the report of <paramref name="export"/> and says where, with its warnings' count.</summary>
    public static ReportResult Write(string export, string html, CliContext context)
    {
        ReportResult result = HtmlReport.Write(export, html, HtmlReport.DefaultWindowsDrawn);
        context.Out.WriteLine($"report: {html} ({result.Figures.Count} figures, {result.WindowsDrawn.Count} window(s) drawn, {result.Warnings.Count} warning(s))");
        return result;
    }

    /// <summary>
    /// <see cref="Write"/> right after an export (export, batch): when the plots cannot be drawn the
    /// export is kept and the one line says so (exit 1).
    /// </summary>
    public static ReportResult WriteAfterExport(string export, string html, CliContext context)
    {
        try
        {
            return Write(export, html, context);
        }
        catch (PlottingUnavailableException e)
        {
            throw new NeuroAlignException($"{export} is written and complete, but {html} is not: {e.Message}", e);
        }
    }

    /// <summary>A report never replaces a file that is not one of ours (an HTML report) unless asked.</summary>
    public static void CheckTarget(string html, bool overwrite)
    {
        if (Directory.Exists(html))
        {
            throw new SettingException(Html, $"{html} is a folder; expected a file name");
        }

        if (!html.EndsWith(".html", StringComparison.OrdinalIgnoreCase) && !html.EndsWith(".htm", StringComparison.OrdinalIgnoreCase))
        {
            throw new SettingException(Html, $"{html}: expected a name ending in .html");
        }

        if (File.Exists(html) && !overwrite && !IsReport(html))
        {
            throw new SettingException(Html, $"{html} exists and is no NeuroAlign report; give {ExportSettings.Overwrite} to replace it");
        }
    }

    /// <summary>Whether the file is a report this command wrote (its title says so).</summary>
    private static bool IsReport(string path)
    {
        using var reader = new StreamReader(path);
        char[] head = new char[512];
        int read = reader.ReadBlock(head, 0, head.Length);
        return new string(head, 0, read).Contains("<title>NeuroAlign QC report", StringComparison.Ordinal);
    }
}
