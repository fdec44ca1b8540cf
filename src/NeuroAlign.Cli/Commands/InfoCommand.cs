using NeuroAlign.Alignment;
using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Filtering;
using NeuroAlign.Formats.Pose;
using NeuroAlign.Hdf5;
using NeuroAlign.Hdf5.Nwb;
using NeuroAlign.Hdf5.Pose;
using NeuroAlign.Sessions;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Cli.Commands;

/// <summary>`neuro-align info FILE...`: what each recording holds and how its clock runs.</summary>
internal static class InfoCommand
{
    /// <summary>How each file opens: every modality's own settings (not sync, which needs a session).</summary>
    private static readonly IReadOnlyList<Setting> Settings = SettingOptions.Modalities.OpenSettings;

    /// <summary>Its options: a filter (the fraction of each recording it keeps, scanning it whole) and how each file opens.</summary>
    public static readonly IReadOnlyList<Setting> AllSettings = [ExportSettings.Filter, .. Settings];

    public static int Run(ParsedArgs args, CliContext context)
    {
        if (args.Positionals.Count == 0)
        {
            throw new UsageException("info needs at least one FILE");
        }

        foreach (string path in args.Positionals)
        {
            Session.RequireArgument(path, "info");
        }

        SettingValues settings = args.Values;

        // The rules are checked against the kinds of the files given (a rule scoped to fmri with only
        // ephys files is refused) before any file is read.
        bool[] exports = [.. args.Positionals.Select(ExportFileInfo.IsExport)];
        var modalities = args.Positionals.Select((path, i) => exports[i] ? null : NwbModalityOr(path)).ToArray();
        // Each file is scanned on its own, as a stream named as its modality: one per modality for the check.
        StreamRequest[] requests = [.. modalities.OfType<IModality>().Distinct().Select(m => new StreamRequest(m.Name, m, m.Name, 0))];
        FilterSet? filters = ExportPlan.ParseFilters(settings, requests, SettingOptions.Modalities.Modalities);
        var log = new ExportCommand.ContextLog(context);
        for (int i = 0; i < args.Positionals.Count; i++)
        {
            string path = args.Positionals[i];
            IModality? modality = modalities[i];
            if (exports[i])
            {
                // A file neuro-align wrote: its windows, streams and codecs (each stream's first window decoded).
                ExportFileInfo.Describe(path, context.Out);
                if (filters is not null)
                {
                    context.Out.WriteLine("  filter: not applied to an export (its masks are in /<stream>/mask)");
                }

                continue;
            }

            if (modality is null)
            {
                // An NWB file without an address lists its objects; a table's address shows its times.
                NwbInfo.Describe(path, context.Out);
                continue;
            }

            if (modality is PoseModality && !PoseModality.IsTimed(settings) && !NwbFile.IsNwbPath(path))
            {
                // A pose file counts frames, not seconds: without a rate or times, info shows its rows only.
                DescribeRows(PoseFiles.Read(path), context.Out);
                continue;
            }

            using ISampleStream stream = modality.Open(new StreamRequest(modality.Name, modality, path, 0), settings, log, []).Stream;
            StreamFacts.Write(stream.SourcePath, StreamFacts.Of(stream), context.Out);
            var filterStream = new FilterStream(modality.Name, modality.FilterScopeOf(stream));
            if (filters is not null && filters.AppliesTo(filterStream))
            {
                ReportKeptFraction(stream, filterStream, filters, context);
            }
            else if (filters is not null)
            {
                context.Out.WriteLine($"  filter: no rule applies to {modality.Name}");
            }
        }

        return 0;
    }

    /// <summary>The modality that opens a path; null for what NWB's own listing shows (a file without an address, a table of times).</summary>
    private static IModality? NwbModalityOr(string path) =>
        !NwbFile.IsNwbPath(path) ? SettingOptions.Modalities.ForPath(path)
        : NwbInfo.ModalityFor(path) is { } name ? SettingOptions.Modalities.Find(name)
        : null;

    /// <summary>Streams over the whole recording, window by window, and prints the fraction the rules keep.</summary>
    private static void ReportKeptFraction(ISampleStream stream, FilterStream target, FilterSet filters, CliContext context)
    {
        CompiledFilter filter = filters.Compile(FilterTarget.ForStream(target, stream, stream.ElementType));

        // t is on this recording's own reference clock: zero at its first sample, as in an export it leads.
        ClockMap map = ClockMap.Offset(-stream.Clock.StartSeconds);
        var reporter = new ProgressReporter(context.Error, context.IsTerminal);
        FilterScanResult result;
        try
        {
            result = FilterScan.Run(stream, filter, map, new ScanProgress(reporter), context.Cancellation);
        }
        finally
        {
            reporter.Finish();
        }

        double seconds = Math.Max(result.Elapsed.TotalSeconds, 1e-9);
        context.Out.WriteLine(
            $"  filter: {filter.RuleText} keeps {result.KeptFraction:P2} of the values ({result.Kept} of {result.Values}; {result.Samples} samples, {result.BytesRead / 1e6:F1} MB scanned in {result.Elapsed.TotalSeconds:F2} s, {result.BytesRead / 1e6 / seconds:F0} MB/s)");
    }

    /// <summary>Shows a scan with the export's progress display: its windows are the scan's windows.</summary>
    private sealed class ScanProgress(ProgressReporter reporter) : IProgress<FilterScanProgress>
    {
        public void Report(FilterScanProgress value) =>
            reporter.Report(new AlignmentProgress(value.WindowsDone, value.WindowCount, value.BytesRead, value.Elapsed));
    }

    private static void DescribeRows(PoseData pose, TextWriter output) => StreamFacts.Write(pose.SourcePath,
        [new("format", pose.FormatName), .. pose.Details(), new("timing", "none in the file: row i is frame i of its camera (export with its video, or give a rate or times)")], output);
}
