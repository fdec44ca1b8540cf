using System.Globalization;
using NeuroAlign.Alignment;
using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Cli.ScaleOut;
using NeuroAlign.Sessions;

namespace NeuroAlign.Cli.Commands;

/// <summary>
/// `neuro-align slurm submit [SLURM OPTIONS] export ... --shards N` or `... batch MANIFEST ...`:
/// one array task per shard or session, submitted with sbatch; `neuro-align slurm status JOB`
/// summarises the tasks (docs/scale-out.md).
/// </summary>
internal static class SlurmCommand
{
    private static readonly Setting<string> Partition = Setting.Text("partition", "NAME", "sbatch --partition");
    private static readonly Setting<string> TimeLimit = Setting.Text("time", "LIMIT", "sbatch --time: wall-clock limit per task (e.g. 30, 2:00:00, 1-00:00:00)");
    private static readonly Setting<string> Memory = Setting.Text("mem", "SIZE", "sbatch --mem: memory per task (e.g. 4G)");
    private static readonly Setting<int> Cpus = Setting.Count("cpus", "N", "sbatch --cpus-per-task", 1);
    private static readonly Setting<int> MaxParallel = Setting.Count("max-parallel", "K", "at most K array tasks at once (--array=…%K)", 1);
    private static readonly Setting<string> SbatchArgument = Setting.Text("sbatch-arg", "ARG", "any other sbatch option, verbatim, e.g. --sbatch-arg=--qos=long (repeatable)", repeatable: true);
    private static readonly Setting<bool> DryRun = Setting.Switch("dry-run", "print the script(s) instead of writing and submitting them");
    private static readonly Setting<bool> OnlyMissing = Setting.Switch("only-missing", "submit only the tasks whose output is absent (same command as before)");
    private static readonly Setting<bool> NoMergeJob = Setting.Switch("no-merge-job", "shards: do not submit the dependent merge job (run the printed merge command yourself)");
    private static readonly Setting<string> WorkFolder = Setting.Text("dir", "DIR", "the work folder submit printed", "found from the job");

    public static readonly IReadOnlyList<Setting> SubmitSettings = [Partition, TimeLimit, Memory, Cpus, MaxParallel, SbatchArgument, DryRun, OnlyMissing, NoMergeJob];

    public static readonly IReadOnlyList<Setting> StatusSettings = [WorkFolder];

    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        return args.Count == 0
            ? throw new UsageException("slurm needs a subcommand: submit or status (see --help)")
            : args[0] switch
            {
                "submit" => Submit(args.Skip(1).ToArray(), context),
                "status" => Status(ParsedArgs.Parse(args.Skip(1).ToArray(), StatusSettings), context),
                _ => throw new UsageException($"unknown slurm subcommand '{args[0]}': expected submit or status"),
            };
    }

    private static int Submit(IReadOnlyList<string> args, CliContext context)
    {
        // Submit's own options come first; the work follows as a command: export … or batch ….
        int start = args.ToList().FindIndex(a => a is "export" or "batch" or "--");
        if (start < 0)
        {
            throw new UsageException("slurm submit needs the work after its options: export … --shards N --out FILE, or batch MANIFEST --out-dir DIR …");
        }

        ParsedArgs parsed = ParsedArgs.Parse(args.Take(start).ToArray(), SubmitSettings);
        SettingValues own = parsed.Values;
        if (parsed.Positionals.Count > 0)
        {
            throw new UsageException($"unexpected argument '{parsed.Positionals[0]}' before the work command (export or batch)");
        }

        IReadOnlyList<string> work = args.Skip(args[start] == "--" ? start + 1 : start).ToArray();
        var resources = new SlurmResources(
            own.Find(Partition),
            own.Find(TimeLimit),
            own.Find(Memory),
            own.FindValue(Cpus),
            own.FindValue(MaxParallel),
            own.All(SbatchArgument));
        WorkPlan plan = work.Count > 0 && work[0] == "export" ? ShardPlan(work.Skip(1).ToArray(), context)
            : work.Count > 0 && work[0] == "batch" ? BatchCommand.Plan(ParsedArgs.Parse(work.Skip(1).ToArray(), BatchCommand.Settings), context)
            : throw new UsageException($"slurm submit: the work is export or batch, not '{(work.Count > 0 ? work[0] : string.Empty)}'");
        if (work[0] == "batch" && ParsedArgs.Parse(work.Skip(1).ToArray(), BatchCommand.Settings).Values is var batch
            && (batch.Has(BatchCommand.Jobs) || batch.Has(BatchCommand.OnlySession) || batch.Has(BatchCommand.OnlyMissing)))
        {
            throw new UsageException("slurm submit: give --only-missing to submit itself; --jobs and --session are for local batch runs");
        }

        WorkPlan? saved = WorkPlan.Load(plan.PlanPath);
        List<int> taskIds = plan.Tasks.Select(t => t.Index).ToList();
        bool mergeJob = plan.Merge != null && !own.Has(NoMergeJob);
        if (saved != null && saved.SameWork(plan) && !own.Has(DryRun))
        {
            CheckNothingQueued(saved);
        }

        if (own.Has(OnlyMissing))
        {
            if (saved != null && !saved.SameWork(plan))
            {
                throw new NeuroAlignException($"--only-missing: {plan.PlanPath} holds the plan of another command ({saved.Description}); repeat the command that made it, or choose another output");
            }

            taskIds.RemoveAll(i => plan.IsDone(plan.Tasks[i]));
            if (taskIds.Count == 0 && (plan.Merge == null || File.Exists(plan.Merge.Output)))
            {
                context.Out.WriteLine($"nothing to submit: every output of the {plan.Description} exists");
                return 0;
            }

            if (taskIds.Count == 0 && !mergeJob)
            {
                context.Out.WriteLine($"nothing to submit: every shard exists; merge them with: {MergeCommandLine(plan)}");
                return 0;
            }
        }

        string? arrayScript = taskIds.Count > 0 ? SlurmScript.Array(plan, taskIds, resources) : null;
        string? mergeScript = mergeJob ? SlurmScript.Merge(plan, resources) : null;
        if (own.Has(DryRun))
        {
            if (arrayScript != null)
            {
                context.Out.WriteLine($"# {Path.Combine(plan.WorkFolder, WorkPlan.ArrayScriptName)}");
                context.Out.Write(arrayScript);
            }

            if (mergeScript != null)
            {
                context.Out.WriteLine($"# {Path.Combine(plan.WorkFolder, WorkPlan.MergeScriptName)} (submitted with --dependency=afterok:<array job>)");
                context.Out.Write(mergeScript);
            }

            return 0;
        }

        if (!SlurmClient.IsInstalled())
        {
            throw new NeuroAlignException("sbatch not found on PATH: Slurm's commands are not installed here; nothing was submitted (use --jobs N to run the tasks on this machine)");
        }

        return SubmitPlan(plan, saved, taskIds, arrayScript, mergeScript, context);
    }

    /// <summary>The shards plan of `export … --shards N --out FILE`, after checking the export (it opens the inputs and counts the windows).</summary>
    private static WorkPlan ShardPlan(IReadOnlyList<string> exportArgs, CliContext context)
    {
        ParsedArgs export = ParsedArgs.Parse(exportArgs, ExportCommand.Settings);
        if (export.Values.Has(ExportSettings.Shard) || export.Values.Has(ExportSharding.Jobs))
        {
            throw new UsageException($"slurm submit export: give {ExportSharding.Shards} N (each shard becomes an array task), not {ExportSettings.Shard} or {ExportSharding.Jobs}");
        }

        int shards = export.Values.TryGet(ExportSharding.Shards, out int given)
            ? given
            : throw new UsageException($"slurm submit export: give {ExportSharding.Shards} N, the number of array tasks the export is split into");
        string output = export.Values.Find(ExportSettings.Out) ?? ExportCommand.DefaultOutput;
        int windows = -1;
        int code = ExportCommand.Run(export, context with { WindowCountProbe = n => windows = n });
        if (code != 0 || windows < 0)
        {
            throw new NeuroAlignException("slurm submit: the export could not be planned");
        }

        _ = new ShardSpec(shards - 1, shards).Range(windows);
        return WorkPlan.ForShards(export.ToArguments(ExportSettings.Out, ExportSharding.Shards, ExportSharding.Jobs), shards, output, SelfCommand.Resolve(), export.Values.Has(ExportSettings.Overwrite));
    }

    private static int SubmitPlan(WorkPlan plan, WorkPlan? saved, List<int> taskIds, string? arrayScript, string? mergeScript, CliContext context)
    {
        // Everything written here is removed again when sbatch refuses: nothing is left behind.
        var createdFolders = new List<string>();
        var writtenFiles = new List<string>();
        foreach (string folder in new[] { plan.WorkFolder, plan.LogFolder })
        {
            if (!Directory.Exists(folder))
            {
                Directory.CreateDirectory(folder);
                createdFolders.Add(folder);
            }
        }

        string arrayPath = Path.Combine(plan.WorkFolder, WorkPlan.ArrayScriptName);
        string mergePath = Path.Combine(plan.WorkFolder, WorkPlan.MergeScriptName);
        string? arrayJob = null;
        string? mergeJob = null;
        try
        {
            if (arrayScript != null)
            {
                WriteScript(arrayPath, arrayScript, writtenFiles);
                arrayJob = SlurmClient.Submit(arrayPath);
            }

            if (mergeScript != null)
            {
                WriteScript(mergePath, mergeScript, writtenFiles);
                mergeJob = arrayJob != null
                    ? SlurmClient.Submit(mergePath, $"--dependency=afterok:{arrayJob}", "--kill-on-invalid-dep=yes")
                    : SlurmClient.Submit(mergePath);
            }
        }
        catch (NeuroAlignException)
        {
            if (arrayJob != null)
            {
                // The merge job was refused after the array was accepted: take the array back.
                _ = SlurmClient.Run("scancel", [arrayJob]);
            }

            foreach (string file in writtenFiles)
            {
                File.Delete(file);
            }

            foreach (string folder in Enumerable.Reverse(createdFolders))
            {
                Directory.Delete(folder, recursive: true);
            }

            throw;
        }

        var submission = new PlanSubmission(arrayJob, taskIds, mergeJob, DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        var history = saved != null && saved.SameWork(plan) ? saved.Submissions : [];
        (plan with { Submissions = [.. history, submission] }).Save();

        string statusJob = arrayJob ?? mergeJob!;
        if (arrayJob != null)
        {
            context.Out.WriteLine($"submitted job {arrayJob}: {taskIds.Count} array task(s) of the {plan.Description} (tasks {SlurmScript.IdRanges(taskIds)})");
            context.Out.WriteLine($"  logs:    {Path.Combine(plan.LogFolder, $"neuro-align-{arrayJob}_<task>.log")}");
        }

        context.Out.WriteLine($"  outputs: {(plan.Merge != null ? Path.Combine(plan.WorkFolder, "shard-*.h5") : Path.Combine(plan.WorkFolder, "<session>.h5"))}");
        if (plan.Merge != null)
        {
            string mergeCommand = MergeCommandLine(plan);
            context.Out.WriteLine(mergeJob != null
                ? $"  merge:   job {mergeJob} writes {plan.Merge.Output} once every shard succeeded (log {Path.Combine(plan.LogFolder, $"neuro-align-merge-{mergeJob}.log")})"
                : $"  merge:   when every shard is done, run: {mergeCommand}");
        }

        context.Out.WriteLine($"  plan:    {plan.PlanPath}");
        context.Out.WriteLine($"  status:  neuro-align slurm status {statusJob}");
        return 0;
    }

    private static string MergeCommandLine(WorkPlan plan) =>
        string.Join(' ', new[] { "neuro-align", "merge", plan.Merge!.Output, plan.WorkFolder, "--remove-shards" }.Select(BashQuoting.Quote));

    private static void WriteScript(string path, string text, List<string> written)
    {
        File.WriteAllText(path, text);
        written.Add(path);
    }

    /// <summary>Resubmitting while an earlier job of the plan still runs would run its tasks twice.</summary>
    private static void CheckNothingQueued(WorkPlan? saved)
    {
        foreach (PlanSubmission s in saved?.Submissions ?? [])
        {
            foreach (string? job in new[] { s.JobId, s.MergeJobId })
            {
                if (job != null && SlurmClient.IsInstalled()
                    && SlurmClient.Queue(job).Where(q => q.State is "PENDING" or "RUNNING" or "CONFIGURING" or "COMPLETING" or "SUSPENDED").ToArray() is { Length: > 0 } active)
                {
                    throw new NeuroAlignException($"job {job} of this plan still has {active.Length} task(s) pending or running; wait for it, or scancel {job} first (submitting again would run them twice)");
                }
            }
        }
    }

    private static int Status(ParsedArgs args, CliContext context)
    {
        if (args.Positionals.Count != 1 || !args.Positionals[0].All(char.IsAsciiDigit))
        {
            throw new UsageException("slurm status needs a job id: neuro-align slurm status JOB [--dir DIR]");
        }

        string job = args.Positionals[0];
        IReadOnlyList<SlurmJobState> queued = SlurmClient.Queue(job);
        IReadOnlyList<SlurmJobState> finished = queued.Count > 0 && queued.All(q => q.State is "PENDING" or "RUNNING") ? [] : SlurmClient.Finished(job);
        string? folder = args.Values.Find(WorkFolder)
            ?? queued.Concat(finished).Select(s => s.WorkDir).FirstOrDefault(d => d != null && File.Exists(Path.Combine(d, WorkPlan.PlanFileName)));
        if (folder == null)
        {
            throw new NeuroAlignException(queued.Count + finished.Count == 0
                ? $"job {job}: neither squeue nor the completion records know it; give --dir DIR (the folder submit printed)"
                : $"job {job}: its folder {queued.Concat(finished).Select(s => s.WorkDir).FirstOrDefault()} holds no {WorkPlan.PlanFileName}; give --dir DIR (the folder submit printed)");
        }

        WorkPlan plan = WorkPlan.Load(Path.Combine(folder, WorkPlan.PlanFileName))
            ?? throw new NeuroAlignException($"{Path.Combine(folder, WorkPlan.PlanFileName)}: no such plan file");
        PlanSubmission submission = plan.Submissions.LastOrDefault(s => s.JobId == job || s.MergeJobId == job)
            ?? throw new NeuroAlignException($"job {job} is not in {plan.PlanPath} (its jobs: {string.Join(", ", plan.Submissions.Select(s => s.JobId ?? s.MergeJobId))})");

        int failedCount = 0;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal) { ["done"] = 0, ["running"] = 0, ["pending"] = 0, ["failed"] = 0 };
        var lines = new List<string>();
        if (submission.JobId != null)
        {
            if (submission.JobId != job)
            {
                queued = SlurmClient.Queue(submission.JobId);
                finished = SlurmClient.Finished(submission.JobId);
            }

            foreach (int id in submission.Tasks)
            {
                PlanTask task = plan.Tasks[id];
                SlurmJobState? state = queued.FirstOrDefault(q => q.TaskId == id && !IsFinal(q.State))
                    ?? finished.FirstOrDefault(f => f.TaskId == id)
                    ?? queued.FirstOrDefault(q => q.TaskId == id);
                var (kind, detail) = Classify(plan, task, state);
                counts[kind]++;
                if (kind == "failed")
                {
                    failedCount++;
                    string log = Path.Combine(plan.LogFolder, $"neuro-align-{submission.JobId}_{id}.log");
                    lines.Add($"  task {id} ({task.Name}): {detail}; log {log}{LastLogLine(log)}");
                }
            }

            context.Out.WriteLine(
                $"job {submission.JobId}: {submission.Tasks.Count} task(s) of the {plan.Description}: {counts["done"]} done, {counts["running"]} running, {counts["pending"]} pending, {counts["failed"]} failed");
            foreach (string line in lines)
            {
                context.Out.WriteLine(line);
            }
        }

        if (submission.MergeJobId is { } merge && plan.Merge != null)
        {
            IReadOnlyList<SlurmJobState> mergeFinished = SlurmClient.Finished(merge);
            SlurmJobState? state = SlurmClient.Queue(merge).FirstOrDefault(q => !IsFinal(q.State)) ?? (mergeFinished.Count > 0 ? mergeFinished[0] : null);
            string log = Path.Combine(plan.LogFolder, $"neuro-align-merge-{merge}.log");
            string what = File.Exists(plan.Merge.Output) ? $"done: {plan.Merge.Output} exists"
                : state == null ? $"unknown to Slurm, and {plan.Merge.Output} does not exist"
                : IsFinal(state.State) ? $"{state.State}{(state.ExitCode != null ? $" (exit {state.ExitCode})" : string.Empty)}, {plan.Merge.Output} not written; log {log}{LastLogLine(log)}"
                : $"{state.State}{(state.Reason != null ? $" ({state.Reason})" : string.Empty)}";
            if (!File.Exists(plan.Merge.Output) && state != null && IsFinal(state.State))
            {
                failedCount++;
            }

            context.Out.WriteLine($"merge job {merge}: {what}");
        }

        return failedCount > 0 ? 1 : 0;
    }

    private static (string Kind, string Detail) Classify(WorkPlan plan, PlanTask task, SlurmJobState? state)
    {
        bool done = plan.IsDone(task);
        if (state == null)
        {
            return done ? ("done", "output exists") : ("failed", "not in the queue, no completion record, and no output");
        }

        if (!IsFinal(state.State))
        {
            return state.State == "PENDING" ? ("pending", state.State) : ("running", state.State);
        }

        string exit = state.ExitCode != null ? $" (exit {state.ExitCode})" : string.Empty;
        return state.State == "COMPLETED" && done ? ("done", "output exists")
            : done ? ("failed", $"{state.State}{exit}, although its output exists")
            : state.State == "COMPLETED" ? ("failed", $"COMPLETED{exit} but its output {task.Output} does not exist")
            : ("failed", $"{state.State}{exit}");
    }

    private static bool IsFinal(string state) => state is not ("PENDING" or "RUNNING" or "CONFIGURING" or "COMPLETING" or "SUSPENDED" or "REQUEUED" or "RESIZING");

    private static string LastLogLine(string log)
    {
        if (!File.Exists(log))
        {
            return string.Empty;
        }

        string? last = File.ReadLines(log).Select(l => l.Trim()).LastOrDefault(l => l.Length > 0);
        return last != null ? $": {last}" : string.Empty;
    }
}
