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

    public static readonly OptionSpec[] Options =
    [
        .. SettingOptions.Specs(SettingOptions.Session),
        .. SettingOptions.Specs(SettingOptions.Export),
        new("--compression", "CODEC", "gzip (default, with byte shuffle; plain h5py reads it), zstd, lz4, bitshuffle-lz4, bitshuffle-zstd (h5py needs hdf5plugin) or none"),
        new("--level", "N", "gzip level 0 (store) to 9 (smallest, slowest), default 1; chunks are compressed on every core"),
        .. ExportSharding.Options,
    ];

    /// <summary>The options that give window times: exactly one per export (batch lets a manifest row's replace the common one).</summary>
    public static readonly string[] WindowSources = [.. ExportSettings.WindowSources.Select(s => SettingOptions.Flag(s.Key))];

    public static int Run(ParsedArgs args, CliContext context)
    {
        if (args.Positionals.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positionals[0]}'; inputs are given with --ephys, --video, --fmri");
        }

        // Everything the command line can get wrong is checked before any file is opened.
        SettingValues settings = SettingOptions.Read(args, [.. SettingOptions.Session, .. SettingOptions.Export, ExportSettings.Shard]);
        IReadOnlyList<StreamRequest> requests = SettingOptions.Modalities.Requests(settings);
        if (requests.Count == 0)
        {
            throw new UsageException($"no input: give {string.Join(", ", SettingOptions.Modalities.PathSettings.Select(s => $"{s} PATH"))} (see --help)");
        }

        Session.CheckSettings(requests, settings, SettingOptions.Session.Concat(SettingOptions.Export));
        ExportPlan plan = ExportPlan.FromSettings(settings, requests);
        Hdf5SinkOptions sinkOptions = SinkOptions(args);
        ExportSharding.CheckOptions(args);
        string output = plan.OutputPath;
        Hdf5Sink.CheckOutput(output, plan.InputPaths, plan.Overwrite);

        var log = new ContextLog(context);
        using Session session = Session.Open(requests, settings, log);
        var notes = new List<string>();
        IReadOnlyList<AlignedStream> streams = plan.Streams(session);
        double[] times = plan.WindowTimes(session, streams, notes, log);
        plan.CheckSize(streams, times.Length);
        notes.AddRange(session.Streams.Skip(1).Where(s => s.Fit is null).Select(s => $"{s.Name}: {s.Placement}"));
        if (ExportSharding.HandOff(args, output, times.Length, context) is int handedOff)
        {
            return handedOff;
        }

        Dictionary<string, object> root = plan.RootAttributes(session, Program.Version, context.CommandLine);
        times = ExportSharding.Select(args, times, root, sinkOptions);

        var progress = new ProgressReporter(context.Error, context.IsTerminal);
        AlignmentSummary summary;
        try
        {
            using var sink = new Hdf5Sink(output, sinkOptions);
            summary = Aligner.Run(streams, times, sink, root, progress, context.Cancellation);
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

        return 0;
    }

    /// <summary>--compression CODEC and --level N as the sink's options (also used by merge); a bad value is a usage error.</summary>
    internal static Hdf5SinkOptions SinkOptions(ParsedArgs args)
    {
        try
        {
            CompressionCodec codec = CompressionCodecs.Parse(args.Get("--compression") ?? "gzip");
            int? level = args.Has("--level") ? args.GetInt("--level", 1, int.MinValue) : null;
            var options = new Hdf5SinkOptions(codec, level);
            options.Validate();
            return options;
        }
        catch (NeuroAlignException e)
        {
            throw new UsageException($"option {(e.Message.StartsWith("compression level", StringComparison.Ordinal) ? "--level" : "--compression")}: {e.Message}");
        }
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
