using NeuroAlign.Alignment;
using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Cli.ScaleOut;
using NeuroAlign.Hdf5;
using NeuroAlign.Sessions;
using NeuroAlign.Streams;

namespace NeuroAlign.Cli.Commands;

/// <summary>
/// The main job: resolve the session (Core opens each recording and puts it on the reference
/// clock), apply the export plan, and write the windows to HDF5 (the original tool's command line,
/// extended). This class only reads the command line and prints; the work is Core's.
/// </summary>
internal static class ExportCommand
{
    public const string DefaultOutput = ExportSettings.DefaultOutput;

    public static readonly IReadOnlyList<Setting> Settings =
    [
        .. SettingOptions.Session,
        .. SettingOptions.Export,
        .. CompressionSettings.All,
        ExportSettings.Shard,
        ExportSharding.Shards,
        ExportSharding.Jobs,
        ReportCommand.WithReport,
    ];

    public static int Run(ParsedArgs args, CliContext context)
    {
        // Everything the command line can get wrong is checked before any file is opened.
        SettingValues settings = args.Values;
        IReadOnlyList<StreamRequest> requests = SettingOptions.Requests(args);

        Session.CheckSettings(requests, settings, SettingOptions.Session.Concat(SettingOptions.Export));
        ExportPlan plan = ExportPlan.FromSettings(settings, requests, SettingOptions.Modalities.Modalities);
        Hdf5SinkOptions sinkOptions = CompressionSettings.Options(settings, new Hdf5SinkOptions())!;
        ExportSharding.CheckOptions(settings);
        string output = plan.OutputPath;
        Hdf5Sink.CheckOutput(output, plan.InputPaths, plan.Overwrite);
        ExportSharding.CheckShardOutput(settings, output);
        bool outputWasThere = File.Exists(output); // what the checks allowed: a file that appears later is another process's
        string? report = settings.Has(ReportCommand.WithReport) ? NeuroAlign.Report.HtmlReport.DefaultPath(output) : null;
        if (report != null)
        {
            ReportCommand.CheckTarget(report, plan.Overwrite);
        }

        var log = new ContextLog(context);
        using Session session = Session.Open(requests, settings, log);
        var notes = new List<string>();
        IReadOnlyList<AlignedStream> streams = plan.Streams(session);
        PlannedWindows windows = plan.Windows(session, streams, notes, log);
        plan.CheckSize(streams, windows.Times.Length);
        notes.AddRange(session.Streams.Skip(1).Where(s => s.Fit is null).Select(s => $"{s.Name}: {s.Placement}"));
        if (ExportSharding.HandOff(args, output, windows.Times.Length, context) is int handedOff)
        {
            // Shards merged into the output (or shard files only, with --shard): the report is of the merged file.
            if (handedOff == 0 && report != null && File.Exists(output))
            {
                ReportCommand.WriteAfterExport(output, report, context);
            }

            return handedOff;
        }

        Dictionary<string, object> root = plan.RootAttributes(session, Program.Version, context.CommandLine);
        windows = ExportSharding.Select(args, windows, root, sinkOptions);

        var progress = new ProgressReporter(context.Error, context.IsTerminal);
        AlignmentSummary summary;
        try
        {
            using var sink = new Hdf5Sink(output, sinkOptions, replaceExisting: outputWasThere);
            summary = Aligner.Run(streams, windows.Times, sink, root, progress, windows.Labels, context.Cancellation);
        }
        finally
        {
            progress.Finish();
        }

        Report(summary, streams, output, context);
        foreach (SessionStream s in session.Streams.Where(s => s.Fit is not null))
        {
            context.Out.WriteLine($"  {SyncCommand.Summary(s.Name, s.Fit!)}");
        }

        foreach (string note in notes)
        {
            context.Out.WriteLine($"  note: {note}");
        }

        if (report != null)
        {
            ReportCommand.WriteAfterExport(output, report, context);
        }

        return 0;
    }

    private static void Report(AlignmentSummary summary, IReadOnlyList<AlignedStream> streams, string output, CliContext context)
    {
        long fileBytes = new FileInfo(output).Length;
        double seconds = Math.Max(summary.Elapsed.TotalSeconds, 1e-9);
        context.Out.WriteLine(
            $"wrote {output}: {summary.WindowCount} window(s), {summary.BytesWritten / 1e6:F1} MB of aligned data ({fileBytes / 1e6:F1} MB on disk) in {summary.Elapsed.TotalSeconds:F2} s, {summary.BytesWritten / 1e6 / seconds:F0} MB/s");
        for (int m = 0; m < streams.Count; m++)
        {
            AlignedStream s = streams[m];
            ModalitySummary ms = summary.Modalities[m];
            string shape = string.Join(" × ", s.Stream.SampleShape);
            context.Out.WriteLine(
                $"  {s.Name}: {ms.PointsPerWindow} samples per window at {s.Grid.OutputRateHz:G} Hz, each {shape} {s.OutputElementType.ToText()} ({s.Stream.FormatName}: {s.Stream.SourcePath})");
            if (ms.KeptFraction is { } kept)
            {
                context.Out.WriteLine($"  {s.Name}: filter {s.Filter!.RuleText} keeps {kept:P2} of the values (mask in /{s.Name}/mask, per-window fractions in /{s.Name}/kept_fraction)");
            }

            if (ms.SamplesOutside > 0)
            {
                long total = (long)ms.PointsPerWindow * summary.WindowCount;
                context.Warn(
                    $"{s.Name}: {ms.SamplesOutside} of {total} samples in {ms.WindowsIncomplete} window(s) fell outside the recording ({s.Timeline.StartReferenceSeconds:G6} s to {s.Timeline.EndReferenceSeconds:G6} s on the reference clock); their source_index is -1 and their data zero");
            }
        }
    }

    /// <summary>Notices from Core while a session opens go to stderr as warnings.</summary>
    internal sealed class ContextLog(CliContext context) : ISessionLog
    {
        public void Warn(string message) => context.Warn(message);
    }
}
