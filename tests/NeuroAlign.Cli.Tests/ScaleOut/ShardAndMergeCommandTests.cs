using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests.ScaleOut;

/// <summary>export --shard, merge and export --jobs through the command line, checked with h5py.</summary>
public class ShardAndMergeCommandTests
{
    [Fact]
    public void ExportShard_OutputHoldingAnotherShard_RefusedAndKept_ReplacedWithOverwrite()
    {
        // An array job whose tasks were all given one --out: shard 1 must not replace shard 0.
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder);
        string[] options = ScaleOutFiles.ExportOptions(recording);
        string output = folder.File("all.h5");
        var first = CliRunner.Run([.. options, "--shard", "0/2", "--out", output]);
        Assert.True(first.Code == 0, first.Error);
        byte[] shard0 = File.ReadAllBytes(output);

        var second = CliRunner.Run([.. options, "--shard", "1/2", "--out", output]);

        ExportCommandTests.AssertOneLineError(second.Code, second.Error, $"option --out: {output} holds shard 0 of 2, and this is shard 1 of 2: give each shard its own output (merge joins them), or --overwrite to replace it; nothing was written");
        Assert.Equal(shard0, File.ReadAllBytes(output));
        var again = CliRunner.Run([.. options, "--shard", "0/2", "--out", output]);
        Assert.True(again.Code == 0, again.Error); // the same shard again replaces its own file, as any output does
        var replaced = CliRunner.Run([.. options, "--shard", "1/2", "--out", output, "--overwrite"]);
        Assert.True(replaced.Code == 0, replaced.Error);
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void ExportShardsThenMerge_EveryDatasetEqualsTheSingleExport()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder);
        string[] options = ScaleOutFiles.ExportOptions(recording);
        var single = CliRunner.Run([.. options, "--out", folder.File("single.h5")]);
        Assert.True(single.Code == 0, single.Error);

        string[] shards = Enumerable.Range(0, 3).Select(i => folder.File($"part{i}.h5")).ToArray();
        for (int i = 0; i < 3; i++)
        {
            var shard = CliRunner.Run([.. options, "--shard", $"{i}/3", "--out", shards[i]]);
            Assert.True(shard.Code == 0, shard.Error);
        }

        var merge = CliRunner.Run(["merge", folder.File("merged.h5"), shards[2], shards[0], shards[1]]);

        Assert.True(merge.Code == 0, merge.Error);
        Assert.StartsWith($"wrote {folder.File("merged.h5")}: 30 window(s) from 3 shards", merge.Out);
        ScaleOutFiles.AssertSameDatasets(folder.File("single.h5"), folder.File("merged.h5"), recording);
        string attributes = Python.Run(
            """
            import sys, h5py
            s = [h5py.File(p, 'r').attrs for p in sys.argv[1:4]]
            m = h5py.File(sys.argv[4], 'r').attrs
            print([(int(a['shard_index']), int(a['shard_count']), int(a['first_window']), int(a['total_windows']), a['shard_compression']) for a in s])
            print(len({a['inputs_fingerprint'] for a in s}), len(s[0]['inputs_fingerprint']))
            print(sorted(k for k in m if k.startswith('shard_')), int(m['first_window']), int(m['total_windows']), int(m['merged_shards']))
            print(m['inputs_fingerprint'] == s[0]['inputs_fingerprint'], m['command_line'] == s[0]['command_line'], m['merge_command_line'].startswith('neuro-align merge'))
            """,
            [.. shards, folder.File("merged.h5")]);
        Assert.Equal(
            """
            [(0, 3, 0, 30, 'gzip 1 shuffle'), (1, 3, 10, 30, 'gzip 1 shuffle'), (2, 3, 20, 30, 'gzip 1 shuffle')]
            1 64
            [] 0 30 3
            True True True
            """,
            attributes.Trim().ReplaceLineEndings("\n"));
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void ExportJobs_LocalProcesses_SameFileAsOneProcessAndNoWorkFolderLeft()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder);
        string[] options = ScaleOutFiles.ExportOptions(recording);
        var single = CliRunner.Run([.. options, "--out", folder.File("single.h5")]);
        Assert.True(single.Code == 0, single.Error);

        var jobs = CliRunner.Run([.. options, "--shards", "4", "--jobs", "2", "--out", folder.File("jobs.h5")]);

        Assert.True(jobs.Code == 0, jobs.Error);
        Assert.Contains("30 windows in 4 shards, 2 local process(es) at a time", jobs.Error);
        Assert.Equal(4, jobs.Error.Split('\n').Count(l => l.Contains(") done in ", StringComparison.Ordinal)));
        ScaleOutFiles.AssertSameDatasets(folder.File("single.h5"), folder.File("jobs.h5"), recording);
        Assert.Equal(["jobs.h5", "rec.dat", "single.h5"], folder.FileNames());
        Assert.False(Directory.Exists(folder.File("jobs.shards")));
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void ExportJobs_WithFilter_MaskAndKeptFractionEqualTheSingleExport()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 1);
        string[] options = [.. ScaleOutFiles.ExportOptions(recording), "--filter", "signal > 0 and channel < 8"];
        Assert.Equal(0, CliRunner.Run([.. options, "--out", folder.File("single.h5")]).Code);

        var jobs = CliRunner.Run([.. options, "--jobs", "3", "--out", folder.File("jobs.h5")]);

        Assert.True(jobs.Code == 0, jobs.Error);
        int datasets = ScaleOutFiles.AssertSameDatasets(folder.File("single.h5"), folder.File("jobs.h5"), recording);
        Assert.Equal(11, datasets); // windows/time; data, timestamps, source_index, source_time, mask, kept_fraction, gain_to_uV, channel_ids, channel_names, channel_units
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void ExportJobs_SyncedProbesNidqAndScanner_SyncFitsAndDataEqualTheSingleExport()
    {
        using var session = new SyncSessionFiles();
        string[] options =
        [
            "--ephys", session.Probe0Path, "--ephys", session.Probe1Path, "--ephys", session.NidqPath,
            "--fmri", session.FmriPath, "--fmri-sync", "ephys_2:2", "--times", SyncSessionFiles.Join(session.SafeTimes(6)), "--after", "0.002",
        ];
        var single = CliRunner.Run([.. options, "--out", session.File("single.h5")]);
        Assert.True(single.Code == 0, single.Error);

        var jobs = CliRunner.Run([.. options, "--jobs", "3", "--out", session.File("jobs.h5")]);

        Assert.True(jobs.Code == 0, jobs.Error);
        ScaleOutFiles.AssertSameDatasets(session.File("single.h5"), session.File("jobs.h5"));
        string sync = Python.Run(
            """
            import sys, h5py
            a, b = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')
            assert sorted(a['sync']) == sorted(b['sync']) == ['ephys_1', 'ephys_2', 'fmri'], list(b['sync'])
            for m in a['sync']:
                assert dict(a['sync'][m].attrs) == dict(b['sync'][m].attrs), m
            print(b['sync/ephys_1'].attrs['method'])
            """,
            session.File("single.h5"),
            session.File("jobs.h5"));
        Assert.Equal("linear", sync.Trim());
    }

    [Theory]
    [InlineData("3/2", "option --shard 3/2: shard 3 does not exist among 2 shards; shards are numbered 0 to 1")]
    [InlineData("1/0", "option --shard 1/0: the shard count is 0; expected 1 or more")]
    [InlineData("x", "option --shard 'x': expected i/n, two whole numbers such as 0/4 (0-based: shards 0/4 to 3/4)")]
    public void ExportShard_BadSpec_OneLineExit2NothingWritten(string spec, string expected)
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 0.5);

        var (code, output, error) = CliRunner.Run([.. ScaleOutFiles.ExportOptions(recording), "--shard", spec, "--out", folder.File("o.h5")]);

        Assert.Equal(2, code);
        Assert.Equal($"neuro-align: error: {expected}\n", error.ReplaceLineEndings("\n"));
        Assert.Empty(output);
        Assert.Equal(["rec.dat"], folder.FileNames());
    }

    [Fact]
    public void ExportShard_MoreShardsThanWindows_RefusedBeforeWriting()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 0.5);

        var (code, _, error) = CliRunner.Run("--ephys", recording, "--ephys-channels", "16", "--times", "0.1,0.2", "--shard", "0/3", "--out", folder.File("o.h5"));

        Assert.Equal(1, code);
        Assert.Equal("neuro-align: error: option --shard 0/3: the export has 2 window(s), fewer than 3 shards; use at most 2 shards\n", error.ReplaceLineEndings("\n"));
        Assert.Equal(["rec.dat"], folder.FileNames());
    }

    [Fact]
    public void ExportShard_WithJobs_Refused()
    {
        var (code, _, error) = CliRunner.Run("--ephys", "x.dat", "--time", "1", "--shard", "0/2", "--jobs", "2");

        Assert.Equal(2, code);
        Assert.Contains("--shard writes one shard; --shards and --jobs run all of them", error);
    }

    [Fact]
    public void Merge_InputChangedBetweenShards_RefusedAsOtherInputs()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 1);
        string[] options = ScaleOutFiles.ExportOptions(recording);
        Assert.Equal(0, CliRunner.Run([.. options, "--shard", "0/2", "--out", folder.File("a.h5")]).Code);

        // Same bytes, new modification time: the recording may have been rewritten between tasks.
        File.SetLastWriteTimeUtc(recording, File.GetLastWriteTimeUtc(recording).AddSeconds(5));
        Assert.Equal(0, CliRunner.Run([.. options, "--shard", "1/2", "--out", folder.File("b.h5")]).Code);

        var (code, _, error) = CliRunner.Run("merge", folder.File("m.h5"), folder.File("a.h5"), folder.File("b.h5"));

        Assert.Equal(1, code);
        Assert.Contains($"merge: {folder.File("b.h5")} was written from other inputs or options (inputs_fingerprint ", error);
        Assert.Contains("an input file changed (size or modification time) or the command differs", error);
        Assert.False(File.Exists(folder.File("m.h5")));
    }

    [Fact]
    public void Merge_OtherOptionsInOneShard_Refused()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 1);
        string[] options = ScaleOutFiles.ExportOptions(recording);
        Assert.Equal(0, CliRunner.Run([.. options, "--shard", "0/2", "--out", folder.File("a.h5")]).Code);
        Assert.Equal(0, CliRunner.Run([.. options, "--mode", "nearest", "--shard", "1/2", "--out", folder.File("b.h5")]).Code);

        var (code, _, error) = CliRunner.Run("merge", folder.File("m.h5"), folder.File("a.h5"), folder.File("b.h5"));

        Assert.Equal(1, code);
        Assert.Contains("was written from other inputs or options", error);
    }

    [Fact]
    public void Merge_MissingAndDuplicateShards_RefusedWithReason()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 1);
        string[] options = ScaleOutFiles.ExportOptions(recording);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(0, CliRunner.Run([.. options, "--shard", $"{i}/3", "--out", folder.File($"s{i}.h5")]).Code);
        }

        var missing = CliRunner.Run("merge", folder.File("m.h5"), folder.File("s0.h5"), folder.File("s2.h5"));
        var twice = CliRunner.Run("merge", folder.File("m.h5"), folder.File("s0.h5"), folder.File("s1.h5"), folder.File("s1.h5"), folder.File("s2.h5"));
        var absent = CliRunner.Run("merge", folder.File("m.h5"), folder.File("s9.h5"));

        Assert.Equal(1, missing.Code);
        Assert.Equal("neuro-align: error: merge: missing shard(s) 1 of 3 (given: 0, 2); all 3 shards of the export are needed\n", missing.Error.ReplaceLineEndings("\n"));
        Assert.Equal(1, twice.Code);
        Assert.Contains("merge: shard 1/3 is given twice", twice.Error);
        Assert.Contains($"merge: {folder.File("s9.h5")}: no such shard file", absent.Error);
        Assert.False(File.Exists(folder.File("m.h5")));
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Merge_FolderAndRemoveShards_TakesItsFilesAndDeletesThem()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 1);
        string[] options = ScaleOutFiles.ExportOptions(recording);
        string parts = Path.Combine(folder.Path, "parts");
        Directory.CreateDirectory(parts);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal(0, CliRunner.Run([.. options, "--shard", $"{i}/2", "--out", Path.Combine(parts, $"{i}.h5")]).Code);
        }

        Assert.Equal(0, CliRunner.Run([.. options, "--out", folder.File("single.h5")]).Code);

        var (code, output, error) = CliRunner.Run("merge", folder.File("m.h5"), parts, "--remove-shards");

        Assert.True(code == 0, error);
        Assert.EndsWith("shard files removed\n", output.ReplaceLineEndings("\n"));
        Assert.Empty(Directory.GetFiles(parts));
        ScaleOutFiles.AssertSameDatasets(folder.File("single.h5"), folder.File("m.h5"));
    }

    [Fact]
    public void Merge_NoShards_UsageError()
    {
        var (code, _, error) = CliRunner.Run("merge", "out.h5");

        Assert.Equal(2, code);
        Assert.Contains("merge needs the output file and the shard files", error);
    }
}
