using System.Globalization;
using NeuroAlign.Alignment;
using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Hdf5;
using NeuroAlign.Sessions;

namespace NeuroAlign.Cli.ScaleOut;

/// <summary>
/// The export's scale-out options: <c>--shard i/n</c> writes one contiguous part of the windows
/// (an array task's work); <c>--shards N</c> / <c>--jobs J</c> run all the parts as local
/// processes and merge them, which gives the file a single process writes (issue 10).
/// </summary>
internal static class ExportSharding
{
    public static readonly Setting<int> Shards = Setting.Count("shards", "N", "split the export into N shards run as local processes, then merge them into --out", 1);

    public static readonly Setting<int> Jobs = Setting.Count("jobs", "N", "run the shards N processes at a time", 1, "--shards; without --shards, N shards");

    /// <summary>Checks the options before any file is opened.</summary>
    public static void CheckOptions(SettingValues settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.Has(ExportSettings.Shard) && (settings.Has(Shards) || settings.Has(Jobs)))
        {
            throw new UsageException($"{ExportSettings.Shard} writes one shard; {Shards} and {Jobs} run all of them: give one or the other");
        }
    }

    /// <summary>
    /// Called once the window times are final. Returns an exit code when the work goes elsewhere:
    /// to a caller that only wanted the window count (slurm submit checking an export), or to
    /// local shard processes (--shards/--jobs) and their merge. Null: this process writes.
    /// </summary>
    public static int? HandOff(ParsedArgs args, string output, int windowCount, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        if (context.WindowCountProbe is { } probe)
        {
            probe(windowCount);
            return 0;
        }

        SettingValues settings = args.Values;
        if (!settings.Has(Shards) && !settings.Has(Jobs))
        {
            return null;
        }

        int shards = settings.TryGet(Shards, out int given) ? given : Math.Min(settings.Get(Jobs, 1), windowCount);
        int jobs = settings.Get(Jobs, shards);
        if (shards == 1)
        {
            return null;
        }

        _ = new ShardSpec(shards - 1, shards).Range(windowCount);
        return RunLocally(args, output, shards, jobs, windowCount, context);
    }

    /// <summary>
    /// With --shard: refuses an output that already holds another shard (an array job whose tasks
    /// were all given one --out would otherwise replace each other's shards one by one, and the
    /// merge would find all but one missing). Replaced only with --overwrite, as a file that is not ours.
    /// </summary>
    public static void CheckShardOutput(SettingValues settings, string output)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (settings.FindValue(ExportSettings.Shard) is not { } shard || settings.Has(ExportSettings.Overwrite) || !ExportFileInfo.IsExport(output))
        {
            return;
        }

        IReadOnlyDictionary<string, object> root;
        try
        {
            using ExportFileReader existing = ExportFileReader.Open(output);
            root = existing.RootAttributes;
        }
        catch (NeuroAlignException)
        {
            return; // not readable as an export: the output guard's rules apply
        }

        if (root.TryGetValue(ShardAttributes.Index, out object? index) && index is long i && i != shard.Index)
        {
            long n = root.TryGetValue(ShardAttributes.Count, out object? count) && count is long c ? c : 0;
            throw new SettingException(
                ExportSettings.Out.Key,
                $"{Printable.Escape(output)} holds shard {i} of {n}, and this is shard {shard.Index} of {shard.Count}: give each shard its own output (merge joins them), or {ExportSettings.Overwrite} to replace it; nothing was written");
        }
    }

    /// <summary>
    /// With --shard: the shard's part of <paramref name="windows"/> (labels with them), and the
    /// attributes that make the file a shard added to <paramref name="root"/>. Without: the windows as they are.
    /// </summary>
    public static PlannedWindows Select(ParsedArgs args, PlannedWindows windows, Dictionary<string, object> root, Hdf5SinkOptions sinkOptions)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(sinkOptions);
        if (args.Values.FindValue(ExportSettings.Shard) is not { } shard)
        {
            return windows;
        }

        var (first, count) = shard.Range(windows.Times.Length);
        root[ShardAttributes.Index] = (long)shard.Index;
        root[ShardAttributes.Count] = (long)shard.Count;
        root[ShardAttributes.TotalWindows] = (long)windows.Times.Length;
        root[ShardAttributes.FirstWindow] = (long)first;
        root[ShardAttributes.Fingerprint] = InputsFingerprint.Compute(args.Values, Commands.ExportCommand.Settings);
        root[ShardAttributes.Compression] = sinkOptions.Describe();
        return windows.Slice(first, count);
    }

    private static int RunLocally(ParsedArgs args, string output, int shards, int jobs, int windowCount, CliContext context)
    {
        WorkPlan plan = WorkPlan.ForShards(args.ToArguments(ExportSettings.Out, Shards, Jobs), shards, output, SelfCommand.Resolve(), args.Values.Has(ExportSettings.Overwrite));
        IReadOnlyList<string> inputs = OutputGuard.PathsIn(args.Values.Given.Where(g => g.Setting != ExportSettings.Out).Select(g => g.Text));
        foreach (PlanTask task in plan.Tasks)
        {
            OutputGuard.CheckNotInput(task.Output, inputs);
        }

        bool created = !Directory.Exists(plan.WorkFolder);
        Directory.CreateDirectory(plan.WorkFolder);
        context.Error.WriteLine($"neuro-align: {windowCount} windows in {shards} shards, {Math.Min(jobs, shards)} local process(es) at a time; work folder {plan.WorkFolder}");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<TaskResult> results = LocalRunner.Run(plan, plan.Tasks, jobs, context);
        TaskResult[] failed = results.Where(r => !r.Succeeded).ToArray();
        if (failed.Length > 0)
        {
            TaskResult f = failed[0];
            throw new NeuroAlignException(
                $"{failed.Length} of {shards} shard(s) failed; shard {f.Task.Index}: {f.LastLine ?? $"exit {f.ExitCode}"} (logs and finished shards are kept in {plan.WorkFolder})");
        }

        var progress = new ProgressReporter(context.Error, context.IsTerminal);
        MergeSummary summary;
        try
        {
            summary = ShardMerger.Merge(
                plan.Tasks.Select(t => t.Output).ToArray(),
                output,
                extraRootAttributes: new Dictionary<string, object>
                {
                    // The user's command line, not shard 0's: it says how this file was made.
                    ["command_line"] = context.CommandLine,
                    ["merged_shards"] = (long)shards,
                },
                progress: progress,
                overwrite: args.Values.Has(ExportSettings.Overwrite),
                cancellationToken: context.Cancellation);
        }
        finally
        {
            progress.Finish();
        }

        foreach (PlanTask task in plan.Tasks)
        {
            File.Delete(task.Output);
        }

        if (created)
        {
            Directory.Delete(plan.WorkFolder, recursive: true);
        }

        context.Out.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"wrote {output}: {summary.WindowCount} window(s) from {shards} shards run as local processes ({Math.Min(jobs, shards)} at a time), {summary.BytesCopied / 1e6:F1} MB of aligned data, in {clock.Elapsed.TotalSeconds:F2} s"));
        return 0;
    }
}
