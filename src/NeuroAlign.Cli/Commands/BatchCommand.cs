using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Cli.ScaleOut;
using NeuroAlign.Hdf5;
using NeuroAlign.Sessions;

namespace NeuroAlign.Cli.Commands;

/// <summary>
/// `neuro-align batch MANIFEST --out-dir DIR [export options]`: one export per session of a study
/// (docs/scale-out.md), in this process one after the other, or --jobs N processes at a time.
/// </summary>
internal static class BatchCommand
{
    /// <summary>Options of batch itself; every other option is an export option for every session.</summary>
    public static readonly Setting<string> OutDir = Setting.Text("out-dir", "DIR", "where the outputs go: DIR/<session>.h5 (created if missing)");

    public static readonly Setting<int> Jobs = Setting.Count("jobs", "N", "run the sessions as N local processes at a time", 1, "one after the other in this process");

    public static readonly Setting<bool> OnlyMissing = Setting.Switch("only-missing", "skip sessions whose output already exists");

    public static readonly Setting<string> OnlySession = Setting.Text("session", "NAME", "run only this session (repeatable)", repeatable: true);

    /// <summary>Options of batch itself; every other option is an export option for every session.</summary>
    public static readonly IReadOnlyList<Setting> OwnSettings = [OutDir, Jobs, OnlyMissing, OnlySession];

    /// <summary>Export options a session may take from the command line (not where its output goes, nor shards).</summary>
    public static readonly IReadOnlyList<Setting> ExportOptions =
        [.. ExportCommand.Settings.Where(o => !InputsFingerprint.IgnoredOptions.Contains(o))];

    public static readonly IReadOnlyList<Setting> Settings = [.. OwnSettings, .. ExportOptions];

    public static int Run(ParsedArgs args, CliContext context)
    {
        WorkPlan plan = Plan(args, context);
        IReadOnlyList<PlanTask> tasks = Selected(plan, args, context);
        if (tasks.Count == 0)
        {
            context.Out.WriteLine($"nothing to do: every selected session's output exists in {plan.WorkFolder}");
            return 0;
        }

        Directory.CreateDirectory(plan.WorkFolder);
        var failures = new List<string>();
        if (args.Values.TryGet(Jobs, out int jobs))
        {
            context.Error.WriteLine($"neuro-align: {tasks.Count} session(s), {Math.Min(jobs, tasks.Count)} local process(es) at a time; logs in {plan.LogFolder}");
            foreach (TaskResult r in LocalRunner.Run(plan, tasks, jobs, context).Where(r => !r.Succeeded))
            {
                failures.Add($"{r.Task.Name} ({r.LastLine ?? $"exit {r.ExitCode}"}; log {r.LogPath})");
            }
        }
        else
        {
            foreach (PlanTask task in tasks)
            {
                context.Out.WriteLine($"session {task.Name}:");
                var sessionContext = context with { CommandLine = string.Join(' ', new[] { "neuro-align" }.Concat(task.Arguments).Select(BashQuoting.Quote)) };
                using var error = new LastLineWriter(context.Error);
                int code = Program.Run(task.Arguments, sessionContext with { Error = error });
                context.Cancellation.ThrowIfCancellationRequested(); // Ctrl-C stops the study, not just this session
                if (code != 0)
                {
                    failures.Add($"{task.Name} ({error.LastLine ?? $"exit {code}"})");
                }
            }
        }

        // With --report every session's export wrote its report; the index links them all, failed sessions marked.
        if (args.Values.Has(ReportCommand.WithReport))
        {
            string index = Path.Combine(plan.WorkFolder, "index.html");
            NeuroAlign.Report.HtmlReport.WriteIndex(index, context.CommandLine, [.. plan.Tasks.Select(t => (t.Name, t.Output, NeuroAlign.Report.HtmlReport.DefaultPath(t.Output)))]);
            context.Out.WriteLine($"report index: {index}");
        }

        if (failures.Count > 0)
        {
            throw new NeuroAlignException($"{failures.Count} of {tasks.Count} session(s) failed: {string.Join("; ", failures)}");
        }

        context.Out.WriteLine($"done: {tasks.Count} session(s) written to {plan.WorkFolder}");
        return 0;
    }

    /// <summary>The study's plan from `batch MANIFEST --out-dir DIR [export options]`, every session's command checked.</summary>
    public static WorkPlan Plan(ParsedArgs args, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        if (args.Positionals.Count != 1)
        {
            throw new UsageException(args.Positionals.Count == 0
                ? "batch needs the sessions manifest: neuro-align batch MANIFEST.tsv --out-dir DIR [export options]"
                : $"unexpected argument '{args.Positionals[1]}'; batch takes one manifest");
        }

        string outputFolder = args.Values.Find(OutDir) ?? throw new UsageException($"batch needs {OutDir} DIR: where the sessions' outputs go");
        if (File.Exists(outputFolder))
        {
            throw new SettingException(OutDir, $"{outputFolder} is a file; expected a folder");
        }

        string manifest = args.Positionals[0];
        IReadOnlyList<ManifestSession> sessions = SessionManifest.Read(manifest, ExportOptions);
        (Setting Setting, string? Value)[] common = [.. args.Values.Given.Where(g => !OwnSettings.Contains(g.Setting)).Select(g => (g.Setting, g.Text))];
        WorkPlan plan = WorkPlan.ForSessions(sessions, common, manifest, outputFolder, SelfCommand.Resolve());

        // No output may be an input of any session (or the manifest, or the plan beside the outputs): checked before any session runs.
        string[] inputs = [Path.GetFullPath(manifest), .. OutputGuard.PathsIn(sessions.SelectMany(s => s.Options).Concat(common).Select(o => o.Value))];
        foreach (PlanTask task in plan.Tasks)
        {
            bool overwrite = common.Concat(sessions[task.Index].Options).Any(o => o.Setting == ExportSettings.Overwrite);
            OutputGuard.Check(task.Output, inputs, overwrite, ExportFileReader.IsNeuroAlignOutput, $"session {task.Name}: output {task.Output}");
        }

        OutputGuard.CheckNotInput(plan.PlanPath, inputs);

        // Every session's command line is checked now, so a typo fails before any work starts.
        foreach (PlanTask task in plan.Tasks)
        {
            try
            {
                _ = ParsedArgs.Parse(task.Arguments.Skip(1).ToArray(), ExportCommand.Settings);
            }
            catch (Exception e) when (e is UsageException or SettingException)
            {
                throw new UsageException($"session {task.Name}: {e.Message}");
            }
        }

        return plan;
    }

    private static IReadOnlyList<PlanTask> Selected(WorkPlan plan, ParsedArgs args, CliContext context)
    {
        IReadOnlyList<string> names = args.Values.All(OnlySession);
        if (names.FirstOrDefault(n => plan.Tasks.All(t => t.Name != n)) is { } unknown)
        {
            throw new SettingException(OnlySession, $"{unknown}: no such session in the manifest (sessions: {string.Join(", ", plan.Tasks.Select(t => t.Name).Take(10))}{(plan.Tasks.Count > 10 ? ", …" : string.Empty)})");
        }

        var tasks = plan.Tasks.Where(t => names.Count == 0 || names.Contains(t.Name)).ToList();
        if (args.Values.Has(OnlyMissing))
        {
            int before = tasks.Count;
            tasks.RemoveAll(plan.IsDone);
            if (tasks.Count < before)
            {
                context.Error.WriteLine($"neuro-align: {OnlyMissing}: {before - tasks.Count} session(s) already have their output");
            }
        }

        return tasks;
    }

    /// <summary>Passes text through and keeps a failed session's one error line (<see cref="FailureLine"/>).</summary>
    private sealed class LastLineWriter(TextWriter inner) : TextWriter
    {
        private readonly System.Text.StringBuilder _line = new();
        private readonly FailureLine _failure = new();

        public string? LastLine => _failure.Line;

        public override System.Text.Encoding Encoding => inner.Encoding;

        public override void Write(char value)
        {
            inner.Write(value);
            if (value == '\n')
            {
                _failure.Add(_line.ToString());
                _line.Clear();
            }
            else
            {
                _line.Append(value);
            }
        }
    }
}
