using System.Diagnostics;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// The output cannot be written to the end (a file-size limit, a full disk): the real executable
/// says so in one line naming the output, exits non-zero, leaves no partial file, and the file the
/// user had under that name is untouched. Uncompressed chunks are written on a background thread,
/// so a failure there must reach the user the same way.
/// </summary>
public sealed class OutputWriteFailureTests
{
    /// <summary>A 3 s, 384-channel int16 recording (69 MB).</summary>
    private static string Recording(TempFolder folder)
    {
        string path = folder.File("in.dat");
        SyntheticEphys.WriteInt16(path, 90_000, 384);
        return path;
    }

    /// <summary>Runs neuro-align (the built executable) through a Python exec wrapper that may set a file-size limit first.</summary>
    private static (int Code, string Error) RunProcess(long? fileSizeLimitBytes, params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "neuro-align.dll");
        var info = new ProcessStartInfo(Python.Executable) { RedirectStandardError = true, RedirectStandardOutput = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(
            """
            import os, resource, signal, sys
            limit = int(sys.argv[1])
            if limit >= 0:
                # Past the limit write() fails with EFBIG; SIGXFSZ, ignored, would otherwise end the process first.
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
            os.execvp('dotnet', ['dotnet'] + sys.argv[2:])
            """);
        info.ArgumentList.Add((fileSizeLimitBytes ?? -1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add(dll);
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        _ = stdout.Result;
        return (process.ExitCode, stderr);
    }

    /// <summary>gzip at level 0 (stored): the output is as large as the data, whatever the data.</summary>
    private static string[] Level(string compression) => compression == "gzip" ? ["--level", "0"] : [];

    [Slow]
    [RequiresTheory(Needs.Python)]
    [InlineData("none")]
    [InlineData("gzip")]
    public void Process_FileSizeLimit_OneLineNamingTheOutputAndTheOlderFileKept(string compression)
    {
        using var folder = new TempFolder();
        string input = Recording(folder);
        string output = folder.File("out.h5");
        File.WriteAllText(output, "an older export");

        // --overwrite: the older file is no NeuroAlign output, so replacing it needs leave (docs/reliability.md).
        var (code, stderr) = RunProcess(20_000_000, ["--ephys", input, "--every", "1", "--after", "1", "--out", output, "--overwrite", "--compression", compression, .. Level(compression)]);

        ExportCommandTests.AssertOneLineError(code, stderr, output, "cannot write", "EFBIG");
        Assert.Equal(["in.dat", "out.h5"], folder.FileNames());
        Assert.Equal("an older export", File.ReadAllText(output));
    }

    [Slow]
    [RequiresTheory(Needs.SmallTmpfs)]
    [InlineData("none")]
    [InlineData("gzip")]
    public void Process_DiskFullMidExport_OneLineAndNothingLeftBehind(string compression)
    {
        // 40 MB of room for a 69 MB export: the disk fills while chunks are written (on the
        // writer thread when uncompressed), after the file was begun.
        using var folder = new TempFolder();
        string input = Recording(folder);
        string full = Directory.CreateDirectory(folder.File("full")).FullName;
        SmallTmpfs.Mount(full, "40m");
        try
        {
            string output = Path.Combine(full, "out.h5");

            var (code, stderr) = RunProcess(null, ["--ephys", input, "--every", "1", "--after", "1", "--out", output, "--compression", compression, .. Level(compression)]);

            Assert.True(stderr.Contains("No space left on device", StringComparison.Ordinal), stderr);
            ExportCommandTests.AssertOneLineError(code, stderr, output, "cannot write");
            Assert.Empty(Directory.GetFileSystemEntries(full));
        }
        finally
        {
            SmallTmpfs.Unmount(full);
        }
    }
}
