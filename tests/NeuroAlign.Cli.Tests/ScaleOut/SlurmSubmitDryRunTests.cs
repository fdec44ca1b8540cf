using NeuroAlign.Cli.ScaleOut;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests.ScaleOut;

/// <summary>The scripts slurm submit writes, seen through --dry-run (no Slurm needed), and its refusals.</summary>
public class SlurmSubmitDryRunTests
{
    [Fact]
    public void DryRun_ShardedExport_ArrayOfShardCommandsAndMergeScriptNothingWritten()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 1);
        string output = folder.File("all.h5");

        var (code, stdout, stderr) = CliRunner.Run(
            ["slurm", "submit", "--partition", "debug", "--time", "0:10:00", "--mem", "1G", "--cpus", "2", "--max-parallel", "3", "--dry-run",
                "export", .. ScaleOutFiles.ExportOptions(recording), "--shards", "4", "--out", output]);

        Assert.True(code == 0, stderr);
        string work = folder.File("all.shards");
        string[] lines = stdout.ReplaceLineEndings("\n").Split('\n');
        Assert.Equal($"# {work}/neuro-align-array.sh", lines[0]);
        Assert.Equal("#!/bin/bash", lines[1]);
        Assert.Contains("#SBATCH --array=0-3%3", lines);
        Assert.Contains($"#SBATCH --output={work}/logs/neuro-align-%A_%a.log", lines);
        Assert.Contains($"#SBATCH --chdir={work}", lines);
        Assert.Contains("#SBATCH --partition=debug", lines);
        Assert.Contains("#SBATCH --time=0:10:00", lines);
        Assert.Contains("#SBATCH --mem=1G", lines);
        Assert.Contains("#SBATCH --cpus-per-task=2", lines);
        Assert.Contains($"cd {Environment.CurrentDirectory}", lines);
        Assert.Contains("case \"${SLURM_ARRAY_TASK_ID}\" in", lines);
        string self = string.Join(' ', SelfCommand.Resolve().Select(BashQuoting.Quote));
        for (int i = 0; i < 4; i++)
        {
            Assert.Contains($"  {i})  # shard {i}/4 -> {work}/shard-{i}-of-4.h5", lines);
            Assert.Contains(
                $"    exec {self} export --ephys {recording} --ephys-channels 16 --every 0.1 --before 0.01 --after 0.04 --shard {i}/4 --out {work}/shard-{i}-of-4.h5 ;;",
                lines);
        }

        Assert.Contains($"# {work}/neuro-align-merge.sh (submitted with --dependency=afterok:<array job>)", lines);
        Assert.Contains($"exec {self} merge {output} {string.Join(' ', Enumerable.Range(0, 4).Select(i => $"{work}/shard-{i}-of-4.h5"))} --remove-shards", lines);
        Assert.Equal(["rec.dat"], folder.FileNames());
        Assert.False(Directory.Exists(work));
    }

    [Fact]
    public void DryRun_ShardedExportWithOverwrite_MergeStepMayReplaceToo()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 1);
        string output = folder.File("all.h5");

        var (code, stdout, stderr) = CliRunner.Run(
            ["slurm", "submit", "--dry-run", "export", .. ScaleOutFiles.ExportOptions(recording), "--shards", "2", "--out", output, "--overwrite"]);

        Assert.True(code == 0, stderr);
        string work = folder.File("all.shards");
        string[] lines = stdout.ReplaceLineEndings("\n").Split('\n');
        string self = string.Join(' ', SelfCommand.Resolve().Select(BashQuoting.Quote));
        Assert.Contains($"exec {self} merge {output} {work}/shard-0-of-2.h5 {work}/shard-1-of-2.h5 --remove-shards --overwrite", lines);
        Assert.All(lines.Where(l => l.Contains(" export ", StringComparison.Ordinal)), l => Assert.Contains("--overwrite", l, StringComparison.Ordinal));
    }

    [Fact]
    public void DryRun_Manifest_OneTaskPerSessionWithItsOptions()
    {
        using var folder = new TempFolder();
        ScaleOutFiles.Recording(folder, "a b.dat", seconds: 0.5);
        ScaleOutFiles.Recording(folder, "c.dat", seconds: 0.5);
        File.WriteAllText(folder.File("study.tsv"), "session\tephys\ttime\ns01\ta b.dat\t\ns02\tc.dat\t0.25\n");
        string outputs = folder.File("out dir");

        var (code, stdout, stderr) = CliRunner.Run("slurm", "submit", "--dry-run", "batch", folder.File("study.tsv"), "--out-dir", outputs, "--ephys-channels", "16", "--time", "0.1");

        Assert.True(code == 0, stderr);
        string[] lines = stdout.ReplaceLineEndings("\n").Split('\n');
        Assert.Contains("#SBATCH --array=0-1", lines);
        Assert.Contains($"#SBATCH --chdir=\"{outputs}\"", lines);
        Assert.Contains($"#SBATCH --output=\"{outputs}/logs/neuro-align-%A_%a.log\"", lines);
        Assert.Contains(lines, l => l.EndsWith($" export --ephys-channels 16 --time 0.1 --ephys '{folder.File("a b.dat")}' --out '{outputs}/s01.h5' ;;", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.EndsWith($" export --ephys-channels 16 --ephys {folder.File("c.dat")} --time 0.25 --out '{outputs}/s02.h5' ;;", StringComparison.Ordinal));
        // No merge job for sessions (matched as the script names it, not as any path might).
        Assert.DoesNotContain("neuro-align-merge.sh", stdout);
        Assert.DoesNotContain(lines, l => l.Contains(" merge ", StringComparison.Ordinal));
        Assert.False(Directory.Exists(outputs));
    }

    [Fact]
    public void Submit_ManifestNamesMissingFile_RowAndColumnNothingSubmitted()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("study.tsv"), "session\tephys\ns01\tgone.dat\n");

        var (code, stdout, stderr) = CliRunner.Run("slurm", "submit", "batch", folder.File("study.tsv"), "--out-dir", folder.File("out"), "--time", "1");

        Assert.Equal(1, code);
        Assert.StartsWith($"neuro-align: error: {folder.File("study.tsv")}: row 2 (session s01), column ephys: found 'gone.dat', which does not exist", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Empty(stdout);
        Assert.False(Directory.Exists(folder.File("out")));
    }

    [Slow]
    [Fact]
    public void Submit_SbatchAbsent_OneLineNothingWritten()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 0.5);
        string empty = Path.Combine(folder.Path, "empty-bin");
        Directory.CreateDirectory(empty);

        // The real executable with a PATH that holds no Slurm: nothing submitted, nothing written.
        var (code, stdout, stderr) = ScaleOutFiles.RunProcess(
            new Dictionary<string, string> { ["PATH"] = empty },
            folder.Path,
            ["slurm", "submit", "export", .. ScaleOutFiles.ExportOptions(recording), "--shards", "2", "--out", folder.File("o.h5")]);

        Assert.Equal(1, code);
        Assert.Equal("neuro-align: error: sbatch not found on PATH: Slurm's commands are not installed here; nothing was submitted (use --jobs N to run the tasks on this machine)\n", stderr.ReplaceLineEndings("\n"));
        Assert.Empty(stdout);
        Assert.Equal(["empty-bin", "rec.dat"], Directory.EnumerateFileSystemEntries(folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(new[] { "export", "--time", "1", "--ephys", "x.dat" }, "slurm submit export: give --shards N, the number of array tasks the export is split into")]
    [InlineData(new[] { "export", "--time", "1", "--ephys", "x.dat", "--shard", "0/2" }, "slurm submit export: give --shards N (each shard becomes an array task), not --shard or --jobs")]
    [InlineData(new[] { "--ephys", "x.dat" }, "slurm submit needs the work after its options")]
    [InlineData(new[] { "--mem", "1G", "bogus", "export" }, "unexpected argument 'bogus' before the work command")]
    [InlineData(new[] { "--cpus", "0", "export" }, "option --cpus: '0' is not a whole number ≥ 1")]
    public void Submit_BadCommandLine_Exit2(string[] args, string expected)
    {
        var (code, _, error) = CliRunner.Run(["slurm", "submit", .. args]);

        Assert.Equal(2, code);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Submit_MoreShardsThanWindows_RefusedBeforeSubmitting()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 0.5);

        var (code, _, error) = CliRunner.Run("slurm", "submit", "--dry-run", "export", "--ephys", recording, "--ephys-channels", "16", "--times", "0.1,0.2,0.3", "--shards", "5", "--out", folder.File("o.h5"));

        Assert.Equal(1, code);
        Assert.Contains("--shard 4/5: the export has 3 window(s), fewer than 5 shards; use at most 3 shards", error);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3 }, "0-3")]
    [InlineData(new[] { 5, 1, 3, 2 }, "1-3,5")]
    [InlineData(new[] { 7 }, "7")]
    public void IdRanges_TaskIds_SlurmArraySyntax(int[] ids, string expected)
    {
        Assert.Equal(expected, SlurmScript.IdRanges(ids));
    }

    [Theory]
    [InlineData("/data/rec.dat", "/data/rec.dat")]
    [InlineData("a b", "'a b'")]
    [InlineData("it's", "'it'\\''s'")]
    [InlineData("$HOME", "'$HOME'")]
    [InlineData("", "''")]
    public void Quote_Arguments_SafeForBash(string argument, string expected)
    {
        Assert.Equal(expected, BashQuoting.Quote(argument));
    }
}
