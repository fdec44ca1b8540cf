using System.Diagnostics;
using System.Globalization;

namespace NeuroAlign.Cli.ScaleOut;

/// <summary>How one task ended.</summary>
/// <param name="Task">The task.</param>
/// <param name="ExitCode">The process's exit code.</param>
/// <param name="LogPath">Its standard output and error.</param>
/// <param name="LastLine">The last line it printed to stderr (the one-line error when it failed).</param>
/// <param name="Elapsed">How long it ran.</param>
internal sealed record TaskResult(PlanTask Task, int ExitCode, string LogPath, string? LastLine, TimeSpan Elapsed)
{
    /// <summary>Exited 0 and its output exists.</summary>
    public bool Succeeded => ExitCode == 0 && File.Exists(Task.Output);
}

/// <summary>
/// Runs a plan's tasks as child processes of this same neuro-align, <c>jobs</c> at a time: what a
/// Slurm array does, on one machine (--jobs N). Each task's output and errors go to its log.
/// </summary>
internal static class LocalRunner
{
    public static IReadOnlyList<TaskResult> Run(WorkPlan plan, IReadOnlyList<PlanTask> tasks, int jobs, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(tasks);
        ArgumentNullException.ThrowIfNull(context);
        Directory.CreateDirectory(plan.LogFolder);
        var results = new TaskResult[tasks.Count];
        using var gate = new SemaphoreSlim(Math.Max(1, jobs));
        object report = new();
        var running = tasks.Select((task, i) => Task.Run(async () =>
        {
            await gate.WaitAsync(context.Cancellation).ConfigureAwait(false);
            try
            {
                results[i] = await RunOne(plan, task, context.Cancellation).ConfigureAwait(false);
                lock (report)
                {
                    TaskResult r = results[i];
                    context.Error.WriteLine(r.Succeeded
                        ? $"neuro-align: task {task.Index} ({task.Name}) done in {r.Elapsed.TotalSeconds:F1} s"
                        : $"neuro-align: task {task.Index} ({task.Name}) failed (exit {r.ExitCode}): {r.LastLine ?? "no message"}; log {r.LogPath}");
                }
            }
            finally
            {
                gate.Release();
            }
        })).ToArray();
        try
        {
            Task.WaitAll(running);
        }
        catch (AggregateException e) when (e.InnerExceptions.All(x => x is OperationCanceledException))
        {
            throw new OperationCanceledException(context.Cancellation);
        }

        return results;
    }

    /// <summary>The log of a task run locally.</summary>
    public static string LogPath(WorkPlan plan, PlanTask task) =>
        Path.Combine(plan.LogFolder, $"local-{task.Index.ToString(CultureInfo.InvariantCulture)}.log");

    private static async Task<TaskResult> RunOne(WorkPlan plan, PlanTask task, CancellationToken cancellation)
    {
        string log = LogPath(plan, task);
        var info = new ProcessStartInfo(plan.Command[0])
        {
            WorkingDirectory = plan.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in plan.Command.Skip(1).Concat(task.Arguments))
        {
            info.ArgumentList.Add(argument);
        }

        var clock = Stopwatch.StartNew();
        var failure = new FailureLine();
        using var writer = new StreamWriter(log, append: false) { AutoFlush = true };
        object sync = new();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(e.Data, error: false);
        process.ErrorDataReceived += (_, e) => Append(e.Data, error: true);
        await writer.WriteLineAsync($"neuro-align task {task.Index} ({task.Name}): {BashQuoting.Join(plan.Command.Concat(task.Arguments))}").ConfigureAwait(false);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellation).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C: the task is ours to stop. A killed process cannot remove its partial file, so
            // it is removed here (the sink names it .NAME.PID.GUID.partial beside the output).
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            string folder = Path.GetDirectoryName(task.Output)!;
            foreach (string partial in Directory.EnumerateFiles(folder, $".{Path.GetFileName(task.Output)}.{process.Id}.*.partial"))
            {
                File.Delete(partial);
            }

            throw;
        }

        process.WaitForExit(); // drains the output events
        return new TaskResult(task, process.ExitCode, log, failure.Line, clock.Elapsed);

        void Append(string? line, bool error)
        {
            if (line == null)
            {
                return;
            }

            lock (sync)
            {
                writer.WriteLine(line);
                if (error)
                {
                    failure.Add(line);
                }
            }
        }
    }
}
