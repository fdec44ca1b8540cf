using System.Globalization;
using NeuroAlign.Alignment;
using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Filtering;
using NeuroAlign.Formats;
using NeuroAlign.Formats.Kilosort;
using NeuroAlign.Formats.Pose;
using NeuroAlign.Hdf5.Nwb;
using NeuroAlign.Hdf5.Pose;
using NeuroAlign.Modalities.Spikes;
using NeuroAlign.Sessions;
using NeuroAlign.Streams;
using NeuroAlign.Tables;
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
            Session.RequirePath(path, "info");
        }

        SettingValues settings = args.Values;

        // The rules are checked against the kinds of the files given (a rule scoped to fmri with only
        // ephys files is refused) before any file is read.
        var modalities = args.Positionals.Select(NwbModalityOr).ToArray();
        // Each file is scanned on its own, as a stream named as its modality: one per modality for the check.
        StreamRequest[] requests = [.. modalities.OfType<IModality>().Distinct().Select(m => new StreamRequest(m.Name, m, m.Name, 0))];
        FilterSet? filters = ExportPlan.ParseFilters(settings, requests, SettingOptions.Modalities.Modalities);
        var log = new ExportCommand.ContextLog(context);
        for (int i = 0; i < args.Positionals.Count; i++)
        {
            string path = args.Positionals[i];
            IModality? modality = modalities[i];
            if (modality is null)
            {
                // An NWB file without an address lists its objects; a table's address shows its times.
                DescribeNwb(path, context.Out);
                continue;
            }

            if (modality is PoseModality && !PoseModality.IsTimed(settings) && !NwbFile.IsNwbPath(path))
            {
                // A pose file counts frames, not seconds: without a rate or times, info shows its rows only.
                DescribeRows(PoseFiles.Read(path), context.Out);
                continue;
            }

            using ISampleStream stream = modality.Open(new StreamRequest(modality.Name, modality, path, 0), settings, log, []).Stream;
            Describe(stream, context.Out);
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

    /// <summary>
    /// The modality that opens a path: for FILE.nwb#ADDRESS the one the object's neurodata_type maps
    /// to (Units: spikes, PoseEstimation: pose, a TimeSeries: ephys); null for an NWB file without
    /// an address or a table of times, which <see cref="DescribeNwb"/> shows.
    /// </summary>
    private static IModality? NwbModalityOr(string path)
    {
        if (!NwbFile.IsNwbPath(path))
        {
            return SettingOptions.Modalities.ForPath(path);
        }

        (string file, string? address) = PathFragment.Split(path);
        if (address is null)
        {
            return null;
        }

        using NwbFile nwb = NwbFile.Open(file);
        NwbObject found = nwb.Resolve(address, ["Units", "PoseEstimation", "TimeSeries", "DynamicTable"], "an object neuro-align reads (Units, PoseEstimation, a TimeSeries, TimeIntervals)");
        return NwbInfo.OptionFor(nwb, found) is { } name && name != "events" ? SettingOptions.Modalities.Find(name) : null;
    }

    private static void DescribeNwb(string path, TextWriter output)
    {
        (string file, string? address) = PathFragment.Split(path);
        if (address is null)
        {
            NwbInfo.Describe(file, output);
            return;
        }

        TimeColumnValues times = TimeColumns.Read(path, new TimeColumnRequest { AllOtherColumnsAsLabels = true, What = "event time" });
        output.WriteLine(path);
        output.WriteLine($"  events: {times.Seconds.Length} times from {times.Column} (the NWB file's seconds)");
        if (times.Seconds.Length > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  first, last: {times.Seconds.Min():R} s, {times.Seconds.Max():R} s"));
        }

        output.WriteLine($"  labels: {(times.Labels.Count == 0 ? "none" : string.Join(", ", times.Labels.Select(l => l.Name)))}");
    }

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

    private static void DescribeRows(PoseData pose, TextWriter output)
    {
        var rows = new List<KeyValuePair<string, string>> { new("format", pose.FormatName) };
        rows.AddRange(pose.Details());
        rows.Add(new("timing", "none in the file: row i is frame i of its camera (export with its video, or give a rate or times)"));
        output.WriteLine(pose.SourcePath);
        int width = rows.Max(r => r.Key.Length) + 1;
        foreach (var (key, value) in rows)
        {
            output.WriteLine($"  {(key + ":").PadRight(width + 1)}{value}");
        }
    }

    public static void Describe(ISampleStream stream, TextWriter output)
    {
        var clock = stream.Clock;
        double duration = clock.SampleCount == 0 ? 0 : clock.EndSeconds - clock.StartSeconds;
        var rows = new List<KeyValuePair<string, string>>
        {
            new("format", stream.FormatName),
            new("samples", clock.SampleCount.ToString()),
            new("sample shape", string.Join(" × ", stream.SampleShape)),
            new("dtype", stream.ElementType.ToText()),
            new("rate", $"{clock.MeanRateHz:R} Hz"),
            new("duration", $"{duration:F6} s"),
            new("t0", $"{clock.StartSeconds:R} s (own clock)"),
            new("clock", clock.Describe()),
        };
        if (stream is SpikeStream { Spikes.SampleRateHz: double hz } spikes && !double.IsFinite(hz))
        {
            // Spike times in seconds (NWB Units): the clock's "samples" are the distinct spike times,
            // whose mean rate says nothing (NaN for one spike); the spikes and their span do.
            SortedSpikes s = spikes.Spikes;
            string span = s.SpikeCount == 0 ? "no spikes" : $"{s.SpikeCount} spikes from {clock.TimeOf(s.FirstSample):R} s to {clock.TimeOf(s.LastSample):R} s";
            rows[1] = new("samples", $"{clock.SampleCount} distinct spike times");
            rows[4] = new("rate", $"none (spike times in seconds): {span}");
            rows[7] = new("clock", "explicit: the distinct spike times (see clock below)");
        }

        rows.AddRange(stream.Details);
        output.WriteLine(stream.SourcePath);
        int width = rows.Max(r => r.Key.Length) + 1;
        foreach (var (key, value) in rows)
        {
            output.WriteLine($"  {(key + ":").PadRight(width + 1)}{value}");
        }
    }
}
