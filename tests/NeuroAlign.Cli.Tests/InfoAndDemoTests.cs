using System.Diagnostics;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

public class InfoAndDemoTests
{
    [Fact]
    public void Info_RawFile_DescribesShapeRateAndDuration()
    {
        using var folder = new TempFolder();
        string input = folder.File("f.dat");
        SyntheticEphys.WriteInt16(input, 45_000, 384);

        var (code, stdout, stderr) = CliRunner.Run("info", input);

        Assert.True(code == 0, stderr);
        Assert.Contains("format:", stdout);
        Assert.Contains("raw", stdout);
        Assert.Contains("45000", stdout);
        Assert.Contains("384", stdout);
        Assert.Contains("30000 Hz", stdout);
        Assert.Contains("1.500000 s", stdout);
        Assert.Contains("int16", stdout);
    }

    [Fact]
    public void Info_MissingFile_OneLine()
    {
        var (code, _, stderr) = CliRunner.Run("info", "/nonexistent/f.dat");

        // info takes files without an option: the message names the command, not an option "--info".
        ExportCommandTests.AssertOneLineError(code, stderr, "neuro-align: error: info /nonexistent/f.dat: no such folder /nonexistent");
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Demo_WritesSessionAndOutputThatEncodesItsTruth()
    {
        using var folder = new TempFolder();

        var (code, stdout, stderr) = CliRunner.Run("demo", "--dir", folder.Path);

        Assert.True(code == 0, stderr);
        Assert.Contains("aligned.h5", stdout);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            d = f['ephys/data'][0].astype(np.int64)
            k = 75000 + np.arange(30000)
            assert np.array_equal(f['ephys/source_index'][0], k)
            ap, sy = d[:, :384], d[:, 384]
            assert np.array_equal(ap // 64, np.broadcast_to(np.arange(384), ap.shape))
            assert np.array_equal(ap % 64, np.broadcast_to((k % 64)[:, None], ap.shape))
            # SY bit 6: the 1 Hz sync wave, high for half of each second from 0.25 s
            assert np.array_equal(sy, np.where(((k / 30000 - 0.25) % 1) < 0.5, 64, 0))
            print('ok')
            """,
            Path.Combine(folder.Path, "aligned.h5"));
        Assert.Equal("ok", check.Trim());
    }

    [Fact]
    public void Process_BadInput_ExitsNonZeroWithoutStackTrace()
    {
        // The real executable, as a user runs it: one line on stderr, no stack trace.
        string dll = Path.Combine(AppContext.BaseDirectory, "neuro-align.dll");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in new[] { dll, "--ephys", "/nonexistent.dat", "--time", "1" })
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();

        ExportCommandTests.AssertOneLineError(process.ExitCode, stderr, "/nonexistent.dat");
    }
}
