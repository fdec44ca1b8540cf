using System.Text.RegularExpressions;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests.ScaleOut;

/// <summary>
/// Real array jobs of neuro-align's own commands on a real Slurm (the one-node cluster
/// ./test.sh starts as root; skipped with the reason elsewhere), checked against a single export.
/// </summary>
public partial class SlurmClusterTests
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(120);

    [Slow]
    [RequiresFact(Needs.Slurm | Needs.Python)]
    public void Submit_ShardedExport_ArrayTasksWriteShardsWhoseMergeEqualsTheSingleExport()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder);
        string[] options = ScaleOutFiles.ExportOptions(recording);
        Assert.Equal(0, CliRunner.Run([.. options, "--out", folder.File("single.h5")]).Code);

        var submit = CliRunner.Run(["slurm", "submit", "--time", "5", "--no-merge-job", "export", .. options, "--shards", "3", "--out", folder.File("all.h5")]);

        Assert.True(submit.Code == 0, submit.Error);
        string job = JobId(submit.Out);
        Assert.True(SlurmCluster.WaitForJobs(JobTimeout, job), $"job {job} still queued after {JobTimeout}");
        string work = folder.File("all.shards");
        string[] shards = Enumerable.Range(0, 3).Select(i => Path.Combine(work, $"shard-{i}-of-3.h5")).ToArray();
        Assert.All(shards, s => Assert.True(File.Exists(s), $"{s} missing; logs: {Logs(work)}"));
        Assert.All(Enumerable.Range(0, 3), i => Assert.True(File.Exists(Path.Combine(work, "logs", $"neuro-align-{job}_{i}.log"))));
        Assert.Contains($"merge:   when every shard is done, run: neuro-align merge {folder.File("all.h5")} {work} --remove-shards", submit.Out);

        var status = CliRunner.Run("slurm", "status", job);
        Assert.True(status.Code == 0, status.Out + status.Error);
        Assert.Equal($"job {job}: 3 task(s) of the 3 shards of {folder.File("all.h5")}: 3 done, 0 running, 0 pending, 0 failed\n", status.Out.ReplaceLineEndings("\n"));

        var merge = CliRunner.Run(["merge", folder.File("all.h5"), .. shards]);
        Assert.True(merge.Code == 0, merge.Error);
        ScaleOutFiles.AssertSameDatasets(folder.File("single.h5"), folder.File("all.h5"), recording);
    }

    [Slow]
    [RequiresFact(Needs.Slurm | Needs.Python)]
    public void Submit_ShardedExportWithMergeJob_DependentJobWritesTheSingleExportsFile()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 2);
        string[] options = [.. ScaleOutFiles.ExportOptions(recording), "--compression", "none"];
        Assert.Equal(0, CliRunner.Run([.. options, "--out", folder.File("single.h5")]).Code);

        var submit = CliRunner.Run(["slurm", "submit", "--time", "5", "--mem", "500M", "export", .. options, "--shards", "2", "--out", folder.File("all.h5")]);

        Assert.True(submit.Code == 0, submit.Error);
        string job = JobId(submit.Out);
        string mergeJob = MergeJobPattern().Match(submit.Out).Groups[1].Value;
        Assert.NotEmpty(mergeJob);
        Assert.True(SlurmCluster.WaitForJobs(JobTimeout, job, mergeJob), $"jobs {job}, {mergeJob} still queued after {JobTimeout}");
        string work = folder.File("all.shards");
        Assert.True(File.Exists(folder.File("all.h5")), $"no merged file; logs: {Logs(work)}");
        Assert.Empty(Directory.GetFiles(work, "shard-*.h5")); // the merge job ran with --remove-shards

        var status = CliRunner.Run("slurm", "status", job);
        Assert.True(status.Code == 0, status.Out + status.Error);
        Assert.Contains($"2 done, 0 running, 0 pending, 0 failed", status.Out);
        Assert.Contains($"merge job {mergeJob}: done: {folder.File("all.h5")} exists", status.Out);
        ScaleOutFiles.AssertSameDatasets(folder.File("single.h5"), folder.File("all.h5"), recording);
    }

    [Slow]
    [RequiresFact(Needs.Slurm | Needs.Python)]
    public void Submit_Manifest_StatusNamesTheFailedTaskAndOnlyMissingResubmitsIt()
    {
        using var folder = new TempFolder();
        ScaleOutFiles.Recording(folder, "a.dat", seconds: 0.5);
        ScaleOutFiles.Recording(folder, "b.dat", seconds: 0.5);
        File.WriteAllText(folder.File("ev.tsv"), "onset\tkind\n0.25\tgo\n");
        string manifest = folder.File("study.tsv");
        File.WriteAllText(manifest, "session\tephys\tevents\tevent-column\ns01\ta.dat\tev.tsv\t\ns02\tb.dat\tev.tsv\tcue\n");
        string outputs = folder.File("out");
        string[] batch = ["batch", manifest, "--out-dir", outputs, "--ephys-channels", "16", "--after", "0.05"];

        var first = CliRunner.Run(["slurm", "submit", "--time", "5", .. batch]);

        Assert.True(first.Code == 0, first.Error);
        string job = JobId(first.Out);
        Assert.True(SlurmCluster.WaitForJobs(JobTimeout, job));
        var failed = CliRunner.Run("slurm", "status", job);
        Assert.Equal(1, failed.Code);
        Assert.Equal(
            $"""
            job {job}: 2 task(s) of the 2 sessions of {manifest}: 1 done, 0 running, 0 pending, 1 failed
              task 1 (s02): FAILED (exit 1:0); log {outputs}/logs/neuro-align-{job}_1.log: neuro-align: error: {folder.File("ev.tsv")}: header: found columns onset, kind, expected a column named 'cue'

            """,
            failed.Out.ReplaceLineEndings("\n"));

        // Fix the events file; only s02 runs again, s01's file is left as it is.
        File.WriteAllText(folder.File("ev.tsv"), "onset\tcue\n0.25\t0.3\n");
        DateTime s01Written = File.GetLastWriteTimeUtc(Path.Combine(outputs, "s01.h5"));
        var again = CliRunner.Run(["slurm", "submit", "--time", "5", "--only-missing", .. batch]);

        Assert.True(again.Code == 0, again.Error);
        Assert.Contains("1 array task(s) of the 2 sessions", again.Out);
        Assert.Contains("(tasks 1)", again.Out);
        string second = JobId(again.Out);
        Assert.True(SlurmCluster.WaitForJobs(JobTimeout, second));
        var done = CliRunner.Run("slurm", "status", second);
        Assert.True(done.Code == 0, done.Out + done.Error);
        Assert.Contains("1 done, 0 running, 0 pending, 0 failed", done.Out);
        Assert.True(File.Exists(Path.Combine(outputs, "s02.h5")));
        Assert.Equal(s01Written, File.GetLastWriteTimeUtc(Path.Combine(outputs, "s01.h5")));

        var nothing = CliRunner.Run(["slurm", "submit", "--only-missing", .. batch]);
        Assert.Equal(0, nothing.Code);
        Assert.StartsWith("nothing to submit: every output of the 2 sessions", nothing.Out);
    }

    [RequiresFact(Needs.Slurm | Needs.Python)]
    public void Submit_AgainWhileAHeldJobPends_RefusedAndStatusShowsPending()
    {
        using var folder = new TempFolder();
        ScaleOutFiles.Recording(folder, "a.dat", seconds: 0.5);
        File.WriteAllText(folder.File("study.tsv"), "session\tephys\ns01\ta.dat\n");
        string[] batch = ["batch", folder.File("study.tsv"), "--out-dir", folder.File("out"), "--ephys-channels", "16", "--time", "0.1"];

        // --hold keeps the task pending until released: a job that is certainly still queued.
        var held = CliRunner.Run(["slurm", "submit", "--sbatch-arg=--hold", .. batch]);
        Assert.True(held.Code == 0, held.Error);
        string job = JobId(held.Out);
        try
        {
            Assert.Contains("#SBATCH --hold", File.ReadAllText(folder.File("out/neuro-align-array.sh")));
            var status = CliRunner.Run("slurm", "status", job);
            Assert.Equal(0, status.Code);
            Assert.EndsWith("0 done, 0 running, 1 pending, 0 failed\n", status.Out.ReplaceLineEndings("\n"));

            var again = CliRunner.Run(["slurm", "submit", .. batch]);

            Assert.Equal(1, again.Code);
            Assert.Equal(
                $"neuro-align: error: job {job} of this plan still has 1 task(s) pending or running; wait for it, or scancel {job} first (submitting again would run them twice)\n",
                again.Error.ReplaceLineEndings("\n"));
        }
        finally
        {
            SlurmCluster.Run("scancel", job);
        }
    }

    [RequiresFact(Needs.Slurm | Needs.Python)]
    public void Submit_SbatchRefuses_ItsMessageVerbatimNothingWritten()
    {
        using var folder = new TempFolder();
        ScaleOutFiles.Recording(folder, "a.dat", seconds: 0.5);
        File.WriteAllText(folder.File("study.tsv"), "session\tephys\ns01\ta.dat\n");

        var (code, stdout, stderr) = CliRunner.Run("slurm", "submit", "--cpus", "9999", "batch", folder.File("study.tsv"), "--out-dir", folder.File("out"), "--time", "0.1");

        Assert.Equal(1, code);
        Assert.Equal(
            "neuro-align: error: sbatch refused the job (exit 1): sbatch: error: Batch job submission failed: More processors requested than permitted\n",
            stderr.ReplaceLineEndings("\n"));
        Assert.Empty(stdout);
        Assert.False(Directory.Exists(folder.File("out")));
    }

    private static string JobId(string submitOutput)
    {
        Match m = JobPattern().Match(submitOutput);
        Assert.True(m.Success, submitOutput);
        return m.Groups[1].Value;
    }

    private static string Logs(string work)
    {
        string logs = Path.Combine(work, "logs");
        return Directory.Exists(logs)
            ? string.Join(" | ", Directory.GetFiles(logs).Select(f => $"{Path.GetFileName(f)}: {File.ReadAllText(f).ReplaceLineEndings(" ")}"))
            : "(no logs folder)";
    }

    [GeneratedRegex(@"^submitted job (\d+):")]
    private static partial Regex JobPattern();

    [GeneratedRegex(@"merge:   job (\d+) writes")]
    private static partial Regex MergeJobPattern();
}
