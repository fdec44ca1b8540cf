using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Cli.Commands;
using NeuroAlign.Sessions;

namespace NeuroAlign.Cli.ScaleOut;

/// <summary>One unit of work: a neuro-align command line that writes one file.</summary>
/// <param name="Index">The array task id that runs it (SLURM_ARRAY_TASK_ID), 0-based.</param>
/// <param name="Name">What it is: "shard 2/8" or the session name.</param>
/// <param name="Output">The file it writes (absolute).</param>
/// <param name="Arguments">neuro-align's arguments, starting with the command (export…).</param>
internal sealed record PlanTask(int Index, string Name, string Output, IReadOnlyList<string> Arguments);

/// <summary>The merge that follows the shards of one export.</summary>
/// <param name="Output">The merged file (absolute).</param>
/// <param name="Arguments">neuro-align's arguments: merge OUT SHARD… --remove-shards.</param>
internal sealed record PlanMerge(string Output, IReadOnlyList<string> Arguments);

/// <summary>One sbatch submission of some of the plan's tasks.</summary>
/// <param name="JobId">The array job's id.</param>
/// <param name="Tasks">The task ids it runs.</param>
/// <param name="MergeJobId">The dependent merge job's id, if one was submitted.</param>
/// <param name="SubmittedUtc">When.</param>
internal sealed record PlanSubmission(string? JobId, IReadOnlyList<int> Tasks, string? MergeJobId, string SubmittedUtc);

/// <summary>
/// The tasks of a sharded export or of a study, as local processes (--jobs) and Slurm array tasks
/// run them; saved as JSON in the work folder so that <c>slurm status</c> and <c>--only-missing</c>
/// know which outputs belong to which task (docs/scale-out.md).
/// </summary>
/// <param name="Kind">"shards" or "sessions".</param>
/// <param name="Description">One line for people: what the tasks make.</param>
/// <param name="WorkFolder">Holds the plan, the scripts and the logs (absolute).</param>
/// <param name="WorkingDirectory">Where the command was typed: tasks run there, so relative paths mean the same.</param>
/// <param name="Command">The neuro-align executable (and dll) every task runs.</param>
/// <param name="Tasks">The tasks, in array order.</param>
/// <param name="Merge">For shards: the merge that joins them.</param>
/// <param name="Submissions">Slurm submissions so far.</param>
internal sealed record WorkPlan(
    string Kind,
    string Description,
    string WorkFolder,
    string WorkingDirectory,
    IReadOnlyList<string> Command,
    IReadOnlyList<PlanTask> Tasks,
    PlanMerge? Merge,
    IReadOnlyList<PlanSubmission> Submissions)
{
    public const string ShardsKind = "shards";
    public const string SessionsKind = "sessions";
    public const string PlanFileName = "neuro-align-plan.json";
    public const string ArrayScriptName = "neuro-align-array.sh";
    public const string MergeScriptName = "neuro-align-merge.sh";

    /// <summary>Where the plan is saved.</summary>
    [JsonIgnore]
    public string PlanPath => Path.Combine(WorkFolder, PlanFileName);

    /// <summary>Where the tasks' logs go.</summary>
    [JsonIgnore]
    public string LogFolder => Path.Combine(WorkFolder, "logs");

    /// <summary>The folder of shard files beside an export's output: x.h5 → x.shards.</summary>
    public static string ShardFolderFor(string output) => Path.ChangeExtension(Path.GetFullPath(output), ".shards");

    /// <summary>The plan of an export split into <paramref name="count"/> shards and merged into <paramref name="output"/>.</summary>
    /// <param name="exportArguments">The export's options without --out, --shard, --shards, --jobs.</param>
    /// <param name="count">Shards.</param>
    /// <param name="output">The merged file.</param>
    /// <param name="command">The neuro-align command.</param>
    /// <param name="overwrite">The export was given --overwrite: the merge step may then replace a file that is not a NeuroAlign output.</param>
    public static WorkPlan ForShards(IReadOnlyList<string> exportArguments, int count, string output, IReadOnlyList<string> command, bool overwrite)
    {
        string full = Path.GetFullPath(output);
        string folder = ShardFolderFor(full);
        int digits = count.ToString(CultureInfo.InvariantCulture).Length;
        var tasks = Enumerable.Range(0, count).Select(i =>
        {
            string name = $"shard-{i.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0')}-of-{count}.h5";
            string shardPath = Path.Combine(folder, name);
            return new PlanTask(i, $"shard {i}/{count}", shardPath, ["export", .. exportArguments, "--shard", $"{i}/{count}", "--out", shardPath]);
        }).ToArray();
        var merge = new PlanMerge(
            full,
            ["merge", full, .. tasks.Select(t => t.Output), SettingOptions.Flag(MergeCommand.RemoveShards.Key), .. overwrite ? [SettingOptions.Flag(ExportSettings.Overwrite.Key)] : Array.Empty<string>()]);
        return new WorkPlan(ShardsKind, $"{count} shards of {full}", folder, Environment.CurrentDirectory, command, tasks, merge, []);
    }

    /// <summary>The plan of a study: one export per manifest session, written to <paramref name="outputFolder"/>.</summary>
    /// <param name="sessions">The manifest's sessions.</param>
    /// <param name="common">Export options for every session; a row's own cell replaces the same option here.</param>
    /// <param name="manifestPath">For the description.</param>
    /// <param name="outputFolder">Where the outputs (and the plan, scripts, logs) go.</param>
    /// <param name="command">The neuro-align command.</param>
    public static WorkPlan ForSessions(
        IReadOnlyList<ManifestSession> sessions,
        IReadOnlyList<(Setting Setting, string? Value)> common,
        string manifestPath,
        string outputFolder,
        IReadOnlyList<string> command)
    {
        string folder = Path.GetFullPath(outputFolder);
        var tasks = sessions.Select((s, i) =>
        {
            string output = Path.GetFullPath(Path.Combine(folder, s.Output ?? s.Name + ".h5"));
            var arguments = new List<string> { "export" };
            foreach (var (setting, value) in SessionOptions(common, s.Options))
            {
                arguments.Add(SettingOptions.Flag(setting.Key));
                if (value != null)
                {
                    arguments.Add(value);
                }
            }

            arguments.AddRange(["--out", output]);
            return new PlanTask(i, s.Name, output, arguments);
        }).ToArray();
        string[] twice = tasks.GroupBy(t => t.Output, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        if (twice.Length > 0)
        {
            var names = tasks.Where(t => t.Output == twice[0]).Select(t => t.Name);
            throw new NeuroAlignException($"{manifestPath}: sessions {string.Join(" and ", names)} would both write {twice[0]}; give each its own out");
        }

        return new WorkPlan(SessionsKind, $"{tasks.Length} sessions of {Path.GetFullPath(manifestPath)}", folder, Environment.CurrentDirectory, command, tasks, null, []);
    }

    /// <summary>The common options with the row's on top: a row's option replaces the common one of that name, and a row's window source replaces the common window source.</summary>
    public static List<(Setting Setting, string? Value)> SessionOptions(IReadOnlyList<(Setting Setting, string? Value)> common, IReadOnlyList<(Setting Setting, string? Value)> row)
    {
        IReadOnlyList<Setting> windowSources = ExportSettings.WindowSources;
        bool rowHasWindows = row.Any(o => windowSources.Contains(o.Setting));
        var options = common
            .Where(c => row.All(r => r.Setting != c.Setting) && !(rowHasWindows && windowSources.Contains(c.Setting)))
            .ToList();
        options.AddRange(row);
        return options;
    }

    /// <summary>Whether a task's work is done: its output exists (for shards, also when the merged file does).</summary>
    public bool IsDone(PlanTask task) =>
        File.Exists(task.Output) || (Merge != null && File.Exists(Merge.Output));

    /// <summary>The same work: the same tasks with the same arguments and outputs, and the same merge.</summary>
    public bool SameWork(WorkPlan other) =>
        Kind == other.Kind
        && Tasks.Count == other.Tasks.Count
        && Tasks.Zip(other.Tasks).All(p => p.First.Output == p.Second.Output && p.First.Arguments.SequenceEqual(p.Second.Arguments))
        && Merge?.Output == other.Merge?.Output;

    /// <summary>Reads a saved plan; null when there is none.</summary>
    public static WorkPlan? Load(string planPath)
    {
        if (!File.Exists(planPath))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(planPath), PlanJsonContext.Default.WorkPlan)
                ?? throw new InvalidRecordingException(planPath, "top level", "null", "a neuro-align plan");
        }
        catch (JsonException e)
        {
            throw new InvalidRecordingException(planPath, e.Path ?? "JSON", e.Message.ReplaceLineEndings(" "), "a neuro-align plan written by slurm submit");
        }
    }

    /// <summary>Writes the plan (to a temporary name, then renamed).</summary>
    public void Save()
    {
        string temporary = PlanPath + ".partial";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, PlanJsonContext.Default.WorkPlan));
        File.Move(temporary, PlanPath, overwrite: true);
    }
}

/// <summary>Source-generated JSON for <see cref="WorkPlan"/>: snake_case, indented for people.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true)]
[JsonSerializable(typeof(WorkPlan))]
internal sealed partial class PlanJsonContext : JsonSerializerContext;
