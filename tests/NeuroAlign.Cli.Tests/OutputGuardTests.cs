using System.Diagnostics;
using System.Security.Cryptography;
using NeuroAlign.Cli.Tests.ScaleOut;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// No output is ever an input of the same command, however it is named, and a file that is not a
/// NeuroAlign output is replaced only with --overwrite (issue 17, "nothing lost"). Every refusal is
/// one line, exit 2, before anything is written; the input's bytes are checked unchanged.
/// </summary>
public sealed class OutputGuardTests
{
    private static readonly string[] Window = ["--ephys-channels", "16", "--time", "0.1", "--after", "0.01"];

    public static TheoryData<string> WaysToNameTheInput => new() { "same", "relative", "dotdot", "symlink", "hardlink", "symlinked-folder" };

    [Theory]
    [MemberData(nameof(WaysToNameTheInput))]
    public void Export_OutIsTheInput_RefusedInputUntouched(string how)
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 0.2);
        string output = NameOf(folder, recording, how);
        byte[] before = Hash(recording);
        string[] files = folder.FileNames();

        var (code, stdout, stderr) = CliRunner.Run(["--ephys", recording, .. Window, "--out", output]);

        Assert.Equal(2, code);
        ExportCommandTests.AssertOneLineError(code, stderr, $"option --out {output}: is the input {recording} (the same file)", "nothing was written");
        Assert.Empty(stdout);
        Assert.Equal(before, Hash(recording));
        Assert.Equal(files, folder.FileNames());
    }

    [Fact]
    public void Export_OutIsTheInputsCompanion_RefusedEvenWithOverwrite()
    {
        // A sidecar beside the recording (as a SpikeGLX .meta beside its .bin): it shares the name up to the first dot.
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 0.2);
        string sidecar = folder.File("rec.json");
        File.WriteAllText(sidecar, "{\"SamplingFrequency\": 30000}\n");
        byte[] before = Hash(sidecar);

        var (code, _, stderr) = CliRunner.Run(["--ephys", recording, .. Window, "--out", sidecar, "--overwrite"]);

        ExportCommandTests.AssertOneLineError(code, stderr, $"option --out {sidecar}: is {sidecar}, a file of the input {recording}");
        Assert.Equal(2, code);
        Assert.Equal(before, Hash(sidecar));
    }

    [Fact]
    public void Export_OutIsAnEventsFile_Refused()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 0.2);
        string events = folder.File("events.tsv");
        File.WriteAllText(events, "onset\tduration\n0.05\t0\n");
        byte[] before = Hash(events);

        var (code, _, stderr) = CliRunner.Run("--ephys", recording, "--ephys-channels", "16", "--events", events, "--out", Path.Combine(folder.Path, ".", "events.tsv"));

        ExportCommandTests.AssertOneLineError(code, stderr, "is the input", "events.tsv");
        Assert.Equal(2, code);
        Assert.Equal(before, Hash(events));
    }

    [Fact]
    public void Export_OutIsAForeignFile_RefusedWithoutOverwriteReplacedWithIt()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 0.2);
        string notes = folder.File("notes.h5");
        File.WriteAllText(notes, "my notes, not an export\n");

        var refused = CliRunner.Run(["--ephys", recording, .. Window, "--out", notes]);

        Assert.Equal(2, refused.Code);
        ExportCommandTests.AssertOneLineError(refused.Code, refused.Error, $"option --out {notes}: exists and is not a NeuroAlign output; give --overwrite to replace it");
        Assert.Equal("my notes, not an export\n", File.ReadAllText(notes));
        Assert.Equal(["notes.h5", "rec.dat"], folder.FileNames());

        var replaced = CliRunner.Run(["--ephys", recording, .. Window, "--out", notes, "--overwrite"]);

        Assert.True(replaced.Code == 0, replaced.Error);
        Assert.Equal(new byte[] { 0x89, (byte)'H', (byte)'D', (byte)'F' }, File.ReadAllBytes(notes)[..4]);
    }

    [Fact]
    public void Export_ForeignHdf5File_NeedsOverwrite()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 0.2);
        string other = folder.File("other.h5");

        // An HDF5 file without NeuroAlign's root attributes: made by rewriting an export's attribute names.
        Assert.Equal(0, CliRunner.Run(["--ephys", recording, .. Window, "--out", other]).Code);
        byte[] bytes = File.ReadAllBytes(other);
        int at = IndexOf(bytes, "schema_version"u8);
        Assert.True(at > 0);
        "SCHEMA_VERSION"u8.CopyTo(bytes.AsSpan(at));
        File.WriteAllBytes(other, bytes);

        var (code, _, stderr) = CliRunner.Run(["--ephys", recording, .. Window, "--out", other]);

        ExportCommandTests.AssertOneLineError(code, stderr, "exists and is not a NeuroAlign output");
        Assert.Equal(bytes, File.ReadAllBytes(other));
    }

    [Fact]
    public void Export_PreviousOutput_ReplacedWithoutOverwrite()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 0.2);
        string output = folder.File("o.h5");

        var first = CliRunner.Run(["--ephys", recording, .. Window, "--out", output]);
        var second = CliRunner.Run(["--ephys", recording, "--ephys-channels", "16", "--times", "0.05,0.1", "--after", "0.01", "--out", output]);

        Assert.True(first.Code == 0 && second.Code == 0, first.Error + second.Error);
        Assert.Contains("2 window(s)", second.Out);
    }

    [Fact]
    public void Export_OutInsideTheInputFolder_PreviousOutputReplacedRecordingFileRefused()
    {
        using var folder = new TempFolder();
        string session = folder.File("session");
        Directory.CreateDirectory(session);
        string recording = ScaleOutFiles.Recording(folder, "session/rec.dat", seconds: 0.2);
        string[] common = ["--ephys", recording, .. Window];

        // A hard link from outside the folder: by name it is not the recording.
        string alias = folder.File("alias.dat");
        Link(recording, alias, symbolic: false);
        byte[] before = Hash(recording);

        var aliasRun = CliRunner.Run([.. common, "--out", alias, "--overwrite"]);

        ExportCommandTests.AssertOneLineError(aliasRun.Code, aliasRun.Error, "is the input");
        Assert.Equal(before, Hash(recording));

        string inside = Path.Combine(session, "aligned.h5");
        Assert.Equal(0, CliRunner.Run([.. common, "--out", inside]).Code);
        Assert.Equal(0, CliRunner.Run([.. common, "--out", inside]).Code);
    }

    [Fact]
    public void Batch_OutCellNamesAnotherSessionsInput_RefusedBeforeAnySession()
    {
        using var folder = new TempFolder();
        ScaleOutFiles.Recording(folder, "a.dat", seconds: 0.2);
        string b = ScaleOutFiles.Recording(folder, "b.dat", seconds: 0.2);
        string manifest = folder.File("study.tsv");
        File.WriteAllText(manifest, "session\tephys\tout\ns01\ta.dat\t../b.dat\ns02\tb.dat\t\n");
        byte[] before = Hash(b);

        var (code, stdout, stderr) = CliRunner.Run(["batch", manifest, "--out-dir", folder.File("out"), .. Window]);

        Assert.Equal(2, code);
        ExportCommandTests.AssertOneLineError(code, stderr, $"session s01: output {b}: is the input {b} (the same file)");
        Assert.Empty(stdout);
        Assert.Equal(before, Hash(b));
        Assert.False(Directory.Exists(folder.File("out")));
    }

    [Fact]
    public void Batch_OutCellIsTheManifest_Refused()
    {
        using var folder = new TempFolder();
        ScaleOutFiles.Recording(folder, "a.dat", seconds: 0.2);
        string manifest = folder.File("study.tsv");
        string text = "session\tephys\tout\ns01\ta.dat\t../study.tsv\n";
        File.WriteAllText(manifest, text);

        var (code, _, stderr) = CliRunner.Run(["batch", manifest, "--out-dir", folder.File("out"), .. Window, "--overwrite"]);

        ExportCommandTests.AssertOneLineError(code, stderr, "session s01: output", "is the input");
        Assert.Equal(text, File.ReadAllText(manifest));
    }

    [Fact]
    public void Merge_OutputIsAShardThroughALink_RefusedShardUntouched()
    {
        using var folder = new TempFolder();
        string[] shards = Shards(folder);
        string link = folder.File("merged.h5");
        Link(shards[1], link, symbolic: true);
        byte[] before = Hash(shards[1]);

        var (code, _, stderr) = CliRunner.Run("merge", link, shards[0], shards[1]);

        Assert.Equal(2, code);
        ExportCommandTests.AssertOneLineError(code, stderr, $"merge: the output {link} is also one of the shards ({shards[1]})");
        Assert.Equal(before, Hash(shards[1]));
    }

    [Fact]
    public void Merge_OutputIsAForeignFile_NeedsOverwrite()
    {
        using var folder = new TempFolder();
        string[] shards = Shards(folder);
        string output = folder.File("merged.h5");
        File.WriteAllText(output, "keep me\n");

        var refused = CliRunner.Run("merge", output, shards[0], shards[1]);
        var replaced = CliRunner.Run("merge", output, shards[0], shards[1], "--overwrite");

        ExportCommandTests.AssertOneLineError(refused.Code, refused.Error, $"merge: the output {output}: exists and is not a NeuroAlign output; give --overwrite");
        Assert.Equal(2, refused.Code);
        Assert.True(replaced.Code == 0, replaced.Error);
    }

    /// <summary>Two shards of a small export.</summary>
    internal static string[] Shards(TempFolder folder)
    {
        string recording = ScaleOutFiles.Recording(folder, seconds: 0.5);
        string[] shards = [folder.File("s0.h5"), folder.File("s1.h5")];
        for (int i = 0; i < 2; i++)
        {
            var run = CliRunner.Run(["--ephys", recording, "--ephys-channels", "16", "--times", "0.1,0.2,0.3", "--after", "0.01", "--shard", $"{i}/2", "--out", shards[i]]);
            Assert.True(run.Code == 0, run.Error);
        }

        return shards;
    }

    private static string NameOf(TempFolder folder, string recording, string how)
    {
        switch (how)
        {
            case "same":
                return recording;
            case "relative":
                return Path.GetRelativePath(Environment.CurrentDirectory, recording);
            case "dotdot":
                Directory.CreateDirectory(folder.File("sub"));
                return Path.Combine(folder.Path, "sub", "..", "rec.dat");
            case "symlink":
                Link(recording, folder.File("link.h5"), symbolic: true);
                return folder.File("link.h5");
            case "hardlink":
                Link(recording, folder.File("hard.h5"), symbolic: false);
                return folder.File("hard.h5");
            default:
                Directory.CreateSymbolicLink(folder.File("alias"), folder.Path);
                return Path.Combine(folder.Path, "alias", "rec.dat");
        }
    }

    private static void Link(string target, string link, bool symbolic)
    {
        if (symbolic)
        {
            File.CreateSymbolicLink(link, target);
            return;
        }

        using var ln = Process.Start(new ProcessStartInfo("ln", [target, link]) { RedirectStandardError = true })!;
        ln.WaitForExit();
        Assert.Equal(0, ln.ExitCode);
    }

    private static byte[] Hash(string path) => SHA256.HashData(File.ReadAllBytes(path));

    private static int IndexOf(byte[] bytes, ReadOnlySpan<byte> text) => bytes.AsSpan().IndexOf(text);
}
