using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace NeuroAlign.Cli.ScaleOut;

/// <summary>What Slurm says about one job or array task.</summary>
/// <param name="TaskId">The array task id, or null for a job that is not an array.</param>
/// <param name="State">PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT…</param>
/// <param name="ExitCode">"code:signal" when known.</param>
/// <param name="WorkDir">The job's working directory (where its plan is).</param>
/// <param name="Reason">Why it pends, when squeue says.</param>
internal sealed record SlurmJobState(int? TaskId, string State, string? ExitCode, string? WorkDir, string? Reason);

/// <summary>
/// Talks to Slurm through its commands: sbatch to submit, squeue for jobs in the queue, and for
/// finished ones sacct or — where accounting is off, as on small clusters and the test cluster —
/// the job completion log that <c>scontrol show config</c> names (JobCompLoc).
/// </summary>
internal static partial class SlurmClient
{
    /// <summary>Submits <paramref name="script"/> with sbatch --parsable; returns the job id.</summary>
    /// <exception cref="NeuroAlignException">sbatch is absent or refused the job: its message, verbatim, on one line.</exception>
    public static string Submit(string script, params string[] sbatchOptions)
    {
        var (code, stdout, stderr) = Run("sbatch", ["--parsable", .. sbatchOptions, script]);
        if (code != 0)
        {
            throw new NeuroAlignException($"sbatch refused the job (exit {code}): {OneLine(stderr.Length > 0 ? stderr : stdout)}");
        }

        // --parsable prints "id" or "id;cluster".
        string id = stdout.Trim().Split(';')[0];
        if (!JobIdPattern().IsMatch(id))
        {
            throw new NeuroAlignException($"sbatch answered '{OneLine(stdout)}'; expected a job id");
        }

        return id;
    }

    /// <summary>Whether sbatch can be found on PATH.</summary>
    public static bool IsInstalled() => FindOnPath("sbatch") != null;

    /// <summary>The job's tasks as squeue lists them (finished ones only until Slurm forgets them, MinJobAge).</summary>
    public static IReadOnlyList<SlurmJobState> Queue(string jobId)
    {
        var (code, stdout, _) = Run("squeue", ["-h", "-r", "--states=all", "-j", jobId, "-o", "%i|%T|%Z|%r"]);

        // squeue exits 1 for a job id it no longer knows ("Invalid job id specified").
        return code == 0 ? ParseQueue(jobId, stdout) : [];
    }

    /// <summary>The job's finished tasks from sacct, or from the completion log when accounting is off; empty when neither knows.</summary>
    public static IReadOnlyList<SlurmJobState> Finished(string jobId)
    {
        if (FindOnPath("sacct") != null)
        {
            var (code, stdout, _) = Run("sacct", ["-n", "-P", "-X", "-j", jobId, "-o", "JobID,State,ExitCode,WorkDir"]);
            if (code == 0 && stdout.Trim().Length > 0)
            {
                return ParseSacct(jobId, stdout);
            }
        }

        return CompletionLog() is { } log && File.Exists(log) ? ParseCompletionLog(jobId, File.ReadLines(log)) : [];
    }

    /// <summary>The job completion log's path when Slurm writes one as text (jobcomp/filetxt), else null.</summary>
    public static string? CompletionLog()
    {
        var (code, stdout, _) = Run("scontrol", ["show", "config"]);
        if (code != 0)
        {
            return null;
        }

        var settings = stdout.Split('\n')
            .Select(l => l.Split('=', 2))
            .Where(p => p.Length == 2)
            .GroupBy(p => p[0].Trim())
            .ToDictionary(g => g.Key, g => g.First()[1].Trim(), StringComparer.Ordinal);
        return settings.GetValueOrDefault("JobCompType") == "jobcomp/filetxt" ? settings.GetValueOrDefault("JobCompLoc") : null;
    }

    /// <summary>Parses squeue -o "%i|%T|%Z|%r" lines: "12_3|RUNNING|/work|None" or "13|PENDING|/work|Dependency".</summary>
    public static IReadOnlyList<SlurmJobState> ParseQueue(string jobId, string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('|'))
            .Where(f => f.Length >= 4 && IsOfJob(f[0], jobId))
            .Select(f => new SlurmJobState(TaskOf(f[0]), f[1], null, f[2], f[3] is "None" or "" ? null : f[3]))
            .ToArray();

    /// <summary>Parses sacct -n -P -o JobID,State,ExitCode,WorkDir lines: "12_3|FAILED|1:0|/work".</summary>
    public static IReadOnlyList<SlurmJobState> ParseSacct(string jobId, string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('|'))
            .Where(f => f.Length >= 4 && IsOfJob(f[0], jobId))
            .Select(f => new SlurmJobState(TaskOf(f[0]), f[1].Split(' ')[0], f[2], f[3], null))
            .ToArray();

    /// <summary>
    /// Parses jobcomp/filetxt lines ("JobId=14 … JobState=FAILED … WorkDir=/work … ArrayJobId=12
    /// ArrayTaskId=2 … ExitCode=1:0"): an array task has its own JobId and names its array in
    /// ArrayJobId. A task run twice (requeued) keeps its last line.
    /// </summary>
    public static IReadOnlyList<SlurmJobState> ParseCompletionLog(string jobId, IEnumerable<string> lines)
    {
        var byTask = new Dictionary<int, SlurmJobState>();
        SlurmJobState? single = null;
        foreach (string line in lines)
        {
            var fields = KeyValuePattern().Matches(line).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim(), StringComparer.Ordinal);
            string? arrayJob = fields.GetValueOrDefault("ArrayJobId");
            bool isTask = arrayJob is { Length: > 0 } && arrayJob != "0" && int.TryParse(fields.GetValueOrDefault("ArrayTaskId"), out _);
            if (isTask ? arrayJob != jobId : fields.GetValueOrDefault("JobId") != jobId)
            {
                continue;
            }

            var state = new SlurmJobState(
                isTask ? int.Parse(fields["ArrayTaskId"], System.Globalization.CultureInfo.InvariantCulture) : null,
                fields.GetValueOrDefault("JobState") ?? "UNKNOWN",
                fields.GetValueOrDefault("ExitCode"),
                fields.GetValueOrDefault("WorkDir"),
                null);
            if (state.TaskId is int task)
            {
                byTask[task] = state;
            }
            else
            {
                single = state;
            }
        }

        return single != null ? [single, .. byTask.Values] : byTask.Values.OrderBy(s => s.TaskId).ToArray();
    }

    /// <summary>Runs a Slurm command; a command that is not installed is one clear line.</summary>
    public static (int Code, string Stdout, string Stderr) Run(string tool, IReadOnlyList<string> arguments)
    {
        string executable = FindOnPath(tool)
            ?? throw new NeuroAlignException($"{tool} not found on PATH: Slurm's commands are not installed here (use --jobs N to run the tasks on this machine instead)");
        var info = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(info) ?? throw new NeuroAlignException($"cannot start {executable}");
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout, stderr.Result);
        }
        catch (Win32Exception e)
        {
            throw new NeuroAlignException($"cannot run {executable}: {e.Message}", e);
        }
    }

    /// <summary>Several lines (sbatch often prints two) as one, each kept verbatim.</summary>
    public static string OneLine(string text) =>
        string.Join(" / ", text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, tool))
            .FirstOrDefault(File.Exists);

    private static bool IsOfJob(string id, string jobId) => id == jobId || id.StartsWith(jobId + "_", StringComparison.Ordinal);

    private static int? TaskOf(string id)
    {
        int underscore = id.IndexOf('_', StringComparison.Ordinal);
        return underscore > 0 && int.TryParse(id[(underscore + 1)..], out int task) ? task : null;
    }

    [GeneratedRegex(@"^\d+$")]
    private static partial Regex JobIdPattern();

    // "Key=value" up to the next " Key=" (values such as WorkDir may hold spaces).
    [GeneratedRegex(@"(?:^|\s)([A-Za-z]+)=(.*?)(?=\s+[A-Za-z]+=|\s*$)")]
    private static partial Regex KeyValuePattern();
}
