using System.Globalization;
using System.Text;

namespace NeuroAlign.Cli.ScaleOut;

/// <summary>What the user asked sbatch for, passed through as #SBATCH lines.</summary>
/// <param name="Partition">--partition.</param>
/// <param name="TimeLimit">--time (wall clock limit per task, Slurm's formats: 30, 1:00:00, 1-00:00:00).</param>
/// <param name="Memory">--mem (per task: 4G, 2000M).</param>
/// <param name="Cpus">--cpus-per-task.</param>
/// <param name="MaxParallel">The array's %K: at most this many tasks at once.</param>
/// <param name="Extra">Further sbatch options, verbatim (--sbatch-arg).</param>
internal sealed record SlurmResources(string? Partition, string? TimeLimit, string? Memory, int? Cpus, int? MaxParallel, IReadOnlyList<string> Extra)
{
    public IEnumerable<string> Options()
    {
        if (Partition != null)
        {
            yield return $"--partition={Partition}";
        }

        if (TimeLimit != null)
        {
            yield return $"--time={TimeLimit}";
        }

        if (Memory != null)
        {
            yield return $"--mem={Memory}";
        }

        if (Cpus is int cpus)
        {
            yield return $"--cpus-per-task={cpus.ToString(CultureInfo.InvariantCulture)}";
        }

        foreach (string option in Extra)
        {
            yield return option;
        }
    }
}

/// <summary>
/// The sbatch scripts of a plan: an array with one task per shard or session, each picking its
/// command by SLURM_ARRAY_TASK_ID, and for shards a merge job. Every path is absolute and every
/// argument quoted for bash, so the script reads as exactly what runs (and --dry-run prints it).
/// </summary>
internal static class SlurmScript
{
    /// <summary>The array script running <paramref name="taskIds"/> of <paramref name="plan"/>.</summary>
    public static string Array(WorkPlan plan, IReadOnlyList<int> taskIds, SlurmResources resources)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(taskIds);
        ArgumentNullException.ThrowIfNull(resources);
        var text = new StringBuilder();
        text.Append("#!/bin/bash\n");
        text.Append(CultureInfo.InvariantCulture, $"# neuro-align {Program.Version}: {taskIds.Count} array task(s) of {plan.Description}.\n");
        text.Append("# Each task runs the command of its SLURM_ARRAY_TASK_ID below; outputs are written under\n");
        text.Append("# temporary names and renamed when complete. Plan: ").Append(plan.PlanPath).Append('\n');
        text.Append("#SBATCH --job-name=neuro-align\n");
        string limit = resources.MaxParallel is int k ? $"%{k.ToString(CultureInfo.InvariantCulture)}" : string.Empty;
        text.Append("#SBATCH --array=").Append(IdRanges(taskIds)).Append(limit).Append('\n');
        text.Append("#SBATCH --output=").Append(DirectiveValue(Path.Combine(plan.LogFolder, "neuro-align-%A_%a.log"))).Append('\n');
        AppendCommon(text, plan, resources);
        text.Append("echo \"neuro-align task ${SLURM_ARRAY_TASK_ID} of job ${SLURM_ARRAY_JOB_ID} on $(hostname)\"\n");
        text.Append("case \"${SLURM_ARRAY_TASK_ID}\" in\n");
        foreach (int id in taskIds)
        {
            PlanTask task = plan.Tasks[id];
            text.Append(CultureInfo.InvariantCulture, $"  {task.Index})  # {task.Name} -> {task.Output}\n");
            text.Append("    exec ").Append(CommandLine(plan, task.Arguments)).Append(" ;;\n");
        }

        text.Append("  *) echo \"neuro-align: task ${SLURM_ARRAY_TASK_ID} is not in this plan\" >&2; exit 2 ;;\n");
        text.Append("esac\n");
        return text.ToString();
    }

    /// <summary>The merge job of a sharded plan; submitted to run after the array succeeds.</summary>
    public static string Merge(WorkPlan plan, SlurmResources resources)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(resources);
        PlanMerge merge = plan.Merge ?? throw new InvalidOperationException("the plan has no merge");
        var text = new StringBuilder();
        text.Append("#!/bin/bash\n");
        text.Append(CultureInfo.InvariantCulture, $"# neuro-align {Program.Version}: joins the {plan.Description} into one file once every shard is done.\n");
        text.Append("#SBATCH --job-name=neuro-align-merge\n");
        text.Append("#SBATCH --output=").Append(DirectiveValue(Path.Combine(plan.LogFolder, "neuro-align-merge-%j.log"))).Append('\n');
        AppendCommon(text, plan, resources with { MaxParallel = null });
        text.Append("exec ").Append(CommandLine(plan, merge.Arguments)).Append('\n');
        return text.ToString();
    }

    /// <summary>Task ids as Slurm's --array wants them: 0-7 or 1,3,5-6.</summary>
    public static string IdRanges(IReadOnlyList<int> ids) => IntegerRanges.Format(ids, ",");

    private static void AppendCommon(StringBuilder text, WorkPlan plan, SlurmResources resources)
    {
        // The job's working directory is the work folder, so `slurm status` finds the plan from
        // the job id alone; the command itself runs where the user typed it (cd below).
        text.Append("#SBATCH --chdir=").Append(DirectiveValue(plan.WorkFolder)).Append('\n');
        foreach (string option in resources.Options())
        {
            text.Append("#SBATCH ").Append(option).Append('\n');
        }

        text.Append("set -euo pipefail\n");
        text.Append("cd ").Append(BashQuoting.Quote(plan.WorkingDirectory)).Append('\n');
    }

    /// <summary>A path in an #SBATCH line: sbatch reads double quotes there (not single ones).</summary>
    private static string DirectiveValue(string path)
    {
        if (path.Contains('"', StringComparison.Ordinal))
        {
            throw new NeuroAlignException($"{path}: a folder for Slurm may not contain '\"' (sbatch cannot read it in an #SBATCH line)");
        }

        return path.Any(char.IsWhiteSpace) ? $"\"{path}\"" : path;
    }

    private static string CommandLine(WorkPlan plan, IEnumerable<string> arguments) =>
        BashQuoting.Join(plan.Command.Concat(arguments));
}
