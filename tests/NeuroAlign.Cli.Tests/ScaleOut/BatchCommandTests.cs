using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests.ScaleOut;

/// <summary>batch over a sessions manifest, in this process and as --jobs local processes.</summary>
public class BatchCommandTests
{
    /// <summary>Two sessions with their own recordings; s02 has its own window time and --after.</summary>
    private static string Study(TempFolder folder)
    {
        Directory.CreateDirectory(folder.File("data"));
        ScaleOutFiles.Recording(folder, "data/a.dat", seconds: 1);
        ScaleOutFiles.Recording(folder, "data/b.dat", seconds: 1.5);
        string manifest = folder.File("study.tsv");
        File.WriteAllText(manifest, "session\tephys\ttimes\tafter\ns01\tdata/a.dat\t\t\ns02\tdata/b.dat\t0.3,1.2\t0.02\n");
        return manifest;
    }

    [Slow]
    [RequiresTheory(Needs.Python)]
    [InlineData(false)]
    [InlineData(true)]
    public void Batch_Manifest_EachSessionEqualsItsOwnExport(bool jobs)
    {
        using var folder = new TempFolder();
        string manifest = Study(folder);
        string outputs = folder.File("out");

        var (code, output, error) = CliRunner.Run(
            ["batch", manifest, "--out-dir", outputs, "--ephys-channels", "16", "--every", "0.25", "--after", "0.05", .. jobs ? new[] { "--jobs", "2" } : []]);

        Assert.True(code == 0, error);
        Assert.Contains($"done: 2 session(s) written to {outputs}", output);
        var s01 = CliRunner.Run("--ephys", folder.File("data/a.dat"), "--ephys-channels", "16", "--every", "0.25", "--after", "0.05", "--out", folder.File("s01.h5"));
        var s02 = CliRunner.Run("--ephys", folder.File("data/b.dat"), "--ephys-channels", "16", "--times", "0.3,1.2", "--after", "0.02", "--out", folder.File("s02.h5"));
        Assert.True(s01.Code == 0 && s02.Code == 0, s01.Error + s02.Error);
        ScaleOutFiles.AssertSameDatasets(folder.File("s01.h5"), Path.Combine(outputs, "s01.h5"), folder.File("data/a.dat"));
        ScaleOutFiles.AssertSameDatasets(folder.File("s02.h5"), Path.Combine(outputs, "s02.h5"), folder.File("data/b.dat"));
    }

    [Fact]
    public void Batch_MissingFile_RowAndColumnExit1NothingWritten()
    {
        using var folder = new TempFolder();
        string manifest = Study(folder);
        File.AppendAllText(manifest, "s03\tdata/c.dat\t1\t\n");

        var (code, output, error) = CliRunner.Run("batch", manifest, "--out-dir", folder.File("out"), "--ephys-channels", "16", "--time", "0.5");

        Assert.Equal(1, code);
        Assert.Equal(
            $"neuro-align: error: {manifest}: row 4 (session s03), column ephys: found 'data/c.dat', which does not exist ({folder.File("data/c.dat")}), expected an existing file or folder (relative paths start at the manifest's folder)\n",
            error.ReplaceLineEndings("\n"));
        Assert.Empty(output);
        Assert.False(Directory.Exists(folder.File("out")));
    }

    [Fact]
    public void Batch_UnknownOption_RefusedBeforeAnyWork()
    {
        using var folder = new TempFolder();
        string manifest = Study(folder);

        var (code, _, error) = CliRunner.Run("batch", manifest, "--out-dir", folder.File("out"), "--ephys-channels", "16", "--time", "0.1", "--aftr", "1");

        Assert.Equal(2, code);
        Assert.Equal("neuro-align: error: unknown option '--aftr' (did you mean --after?); see --help\n", error.ReplaceLineEndings("\n"));
        Assert.False(Directory.Exists(folder.File("out")));
    }

    [Fact]
    public void Batch_BadValueInOneSession_RefusedBeforeAnySessionRuns()
    {
        using var folder = new TempFolder();
        string manifest = folder.File("study.tsv");
        ScaleOutFiles.Recording(folder, "a.dat", seconds: 0.5);
        File.WriteAllText(manifest, "session\tephys\tephys-channels\ns01\ta.dat\t16\ns02\ta.dat\tmany\n");

        var (code, _, error) = CliRunner.Run("batch", manifest, "--out-dir", folder.File("out"), "--time", "0.1");

        // Every cell is parsed as the export will parse it, before any work (docs/scale-out.md).
        Assert.Equal(1, code);
        Assert.Equal($"neuro-align: error: {manifest}: row 3 (session s02), column ephys-channels: option --ephys-channels: 'many' is not", error.ReplaceLineEndings("\n")[..(error.IndexOf(" is not", StringComparison.Ordinal) + 7)]);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(Directory.Exists(folder.File("out")));
    }

    [Fact]
    public void Batch_FilterErrorInOneSession_SummaryIsItsErrorLineNotTheCaret()
    {
        // A filter error prints three lines (the error, the rule, a caret under the fault): the
        // summary quotes the error line, one per session (it used to quote the caret: "s02 (^)").
        using var folder = new TempFolder();
        string manifest = folder.File("study.tsv");
        ScaleOutFiles.Recording(folder, "a.dat", seconds: 0.5);
        File.WriteAllText(manifest, "session\tephys\tfilter\ns01\ta.dat\t\ns02\ta.dat\tsignal >\ns03\ta.dat\tsignal >> 2\n");

        var (code, _, error) = CliRunner.Run("batch", manifest, "--out-dir", folder.File("out"), "--ephys-channels", "16", "--time", "0.1", "--after", "0.01");

        Assert.Equal(1, code);
        string summary = error.Split('\n').Single(l => l.Contains("session(s) failed", StringComparison.Ordinal));
        Assert.StartsWith("neuro-align: error: 2 of 3 session(s) failed: s02 (neuro-align: error: filter \"signal >\": ", summary);
        Assert.Contains("; s03 (neuro-align: error: filter \"signal >> 2\": ", summary);
        Assert.DoesNotContain("^)", summary);
        Assert.True(File.Exists(folder.File("out/s01.h5")));
    }

    [Fact]
    public void Batch_OnlyMissingAndSession_SkipWhatExists()
    {
        using var folder = new TempFolder();
        string manifest = Study(folder);
        string outputs = folder.File("out");
        string[] common = ["--out-dir", outputs, "--ephys-channels", "16", "--time", "0.5"];
        Assert.Equal(0, CliRunner.Run(["batch", manifest, .. common, "--session", "s02"]).Code);
        Assert.True(File.Exists(Path.Combine(outputs, "s02.h5")));
        Assert.False(File.Exists(Path.Combine(outputs, "s01.h5")));
        DateTime written = File.GetLastWriteTimeUtc(Path.Combine(outputs, "s02.h5"));

        var (code, output, error) = CliRunner.Run(["batch", manifest, .. common, "--only-missing"]);

        Assert.True(code == 0, error);
        Assert.Contains("--only-missing: 1 session(s) already have their output", error);
        Assert.Contains("session s01:", output);
        Assert.DoesNotContain("session s02:", output);
        Assert.Equal(written, File.GetLastWriteTimeUtc(Path.Combine(outputs, "s02.h5")));
    }

    [Slow]
    [Fact]
    public void Batch_SessionFailsAtRun_OthersStillWrittenExit1WithItsError()
    {
        using var folder = new TempFolder();
        string manifest = Study(folder);
        File.WriteAllText(folder.File("ev.tsv"), "onset\tkind\n0.5\tgo\n");
        File.WriteAllText(manifest, "session\tephys\tevents\tevent-column\ns01\tdata/a.dat\tev.tsv\tnope\ns02\tdata/b.dat\tev.tsv\t\n");

        var (code, _, error) = CliRunner.Run("batch", manifest, "--out-dir", folder.File("out"), "--ephys-channels", "16", "--jobs", "2");

        Assert.Equal(1, code);
        Assert.Contains("neuro-align: error: 1 of 2 session(s) failed: s01 (neuro-align: error: ", error);
        Assert.Contains("expected a column named 'nope'", error);
        Assert.Contains(folder.File("out/logs/local-0.log"), error);
        Assert.True(File.Exists(folder.File("out/s02.h5")));
        Assert.False(File.Exists(folder.File("out/s01.h5")));
    }

    [Fact]
    public void Batch_NoOutDir_UsageError()
    {
        using var folder = new TempFolder();
        string manifest = Study(folder);

        var (code, _, error) = CliRunner.Run("batch", manifest, "--time", "1");

        Assert.Equal(2, code);
        Assert.Contains("batch needs --out-dir DIR", error);
    }
}
