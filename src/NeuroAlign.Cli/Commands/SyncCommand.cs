using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Report;
using NeuroAlign.Sessions;
using NeuroAlign.Sync;

namespace NeuroAlign.Cli.Commands;

/// <summary>
/// `neuro-align sync …`: opens the session as an export would, fits every clock, and prints each
/// stream's map to the reference and its quality, without exporting anything (issue 7, item 6).
/// </summary>
internal static class SyncCommand
{
    public static readonly Setting<string> Plot = Setting.Text("plot", "FILE.png", "also draw every fitted stream's pulse residuals against time, with the tolerance band, to a PNG (docs/report.md)");

    public static readonly IReadOnlyList<Setting> Settings = [.. SettingOptions.Session, Plot, ReportCommand.WithReport, ReportCommand.Html];

    /// <summary>Where <c>sync --report</c> writes without --html.</summary>
    public const string DefaultReport = "sync-report.html";

    public static int Run(ParsedArgs args, CliContext context)
    {
        SettingValues settings = args.Values;
        IReadOnlyList<StreamRequest> requests = SettingOptions.Requests(args);

        Session.CheckSettings(requests, settings, SettingOptions.Session);
        string? plot = settings.Find(Plot);
        if (plot != null && !plot.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            throw new SettingException(Plot, $"{plot}: expected a name ending in .png");
        }

        if (settings.Has(ReportCommand.Html) && !settings.Has(ReportCommand.WithReport))
        {
            throw new SettingException(ReportCommand.Html, $"says where the report goes: give {ReportCommand.WithReport} too");
        }

        string? report = settings.Has(ReportCommand.WithReport) ? settings.Find(ReportCommand.Html) ?? DefaultReport : null;
        if (report != null)
        {
            ReportCommand.CheckTarget(report, overwrite: false);
        }
        using Session session = Session.Open(requests, settings, new ExportCommand.ContextLog(context));
        SessionStream reference = session.Reference;
        context.Out.WriteLine($"reference: {reference.Name} ({reference.Stream.SourcePath})");
        context.Out.WriteLine($"  own clock: {reference.Stream.Clock.Describe()}; reference = own - {reference.Stream.Clock.StartSeconds:R} s (its first sample is time zero)");
        foreach (SessionStream s in session.Streams.Skip(1))
        {
            context.Out.WriteLine($"{s.Name} ({s.Stream.SourcePath})");
            if (s.Fit is not { } fit)
            {
                context.Out.WriteLine(s.Opened.ClockOf is null ? $"  not synchronised: {s.Placement}" : $"  {s.Placement}");
                continue;
            }

            context.Out.WriteLine($"  {fit.Describe()}");
            if (fit.Source is { } source)
            {
                context.Out.WriteLine($"  pulses: {source}");
            }

            if (fit.OffsetSearch is { } search)
            {
                context.Out.WriteLine($"  offset search: {search}");
            }

            context.Out.WriteLine($"  map: {fit.Map.Describe()}");
            double start = fit.Map.ToReference(s.Stream.Clock.StartSeconds), end = fit.Map.ToReference(s.Stream.Clock.EndSeconds);
            context.Out.WriteLine($"  spans reference {start:F6} s to {end:F6} s ({s.Stream.Clock.SampleCount} samples)");
            foreach (string note in fit.Notes)
            {
                context.Out.WriteLine($"  note: {note}");
            }
        }

        SyncData[] fits = [.. session.Streams.Where(s => s.Fit?.Pulses is { ResidualSeconds.Length: > 0 }).Select(s => SyncData.FromFit(s.Name, s.Fit!))];
        if (plot != null)
        {
            if (fits.Length == 0)
            {
                throw new NeuroAlignException($"{Plot} {plot}: nothing to draw: no stream was fitted to pulses (give a second --ephys stream with a shared sync line, --video-sync, --fmri-sync or --video-led)");
            }

            SyncFigures.SaveResidualsPng(fits, plot);
            context.Out.WriteLine($"plot: {plot} (residuals of {string.Join(", ", fits.Select(f => f.Stream))})");
        }

        if (report != null)
        {
            TimelineRow[] rows = [.. session.Streams.Select(s => new TimelineRow(
                s.Name,
                s.Modality.Name,
                (s.Map.ToReference(s.Stream.Clock.StartSeconds), s.Map.ToReference(s.Stream.Clock.EndSeconds)),
                s.Fit?.Pulses is { ResidualSeconds.Length: > 0 } ? SyncData.FromFit(s.Name, s.Fit) : null)
            {
                Gaps = [.. s.Stream.Clock.Gaps.Select(g => (s.Map.ToReference(g.StartSeconds), s.Map.ToReference(g.EndSeconds)))],
                RepeatedFrameSeconds = s.Stream is Video.VideoStream video ? [.. video.RepeatedFrames.Select(k => s.Map.ToReference(video.Clock.TimeOf(k)))] : [],
            })];
            ReportResult result = HtmlReport.WriteSync(report, context.CommandLine, rows);
            context.Out.WriteLine($"report: {report} ({result.Figures.Count} figures)");
        }

        return 0;
    }

    /// <summary>One line per fitted stream, for the export's summary.</summary>
    public static string Summary(string name, ClockFit fit) => $"sync {name}: {fit.Describe()}";
}
