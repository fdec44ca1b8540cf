using NeuroAlign.Cli.Tests.ScaleOut;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// The command line is parsed by System.CommandLine: a response file (@args.txt) stands for the
/// options it holds, alone (the original tool's export) or after a command, and gives the same file
/// the same options typed out give.
/// </summary>
public sealed class ResponseFileTests
{
    [RequiresFact(Needs.Python)]
    public void Export_OptionsFromAResponseFile_SameWindowsAsTypedOut()
    {
        using var folder = new TempFolder();
        string recording = ScaleOutFiles.Recording(folder, seconds: 1);
        string[] options = ScaleOutFiles.ExportOptions(recording);
        string response = folder.File("args.txt");
        File.WriteAllLines(response, [.. options, "--out", folder.File("from-file.h5")]);

        var (code, _, stderr) = CliRunner.Run("@" + response);
        Assert.True(code == 0, stderr);
        (code, _, stderr) = CliRunner.Run("export", "@" + response);
        Assert.True(code == 0, stderr);

        // The file's options count as typed: given again, a one-value option is a mistake.
        (code, _, stderr) = CliRunner.Run([.. options, "@" + response]);
        Assert.Equal(2, code);
        Assert.Contains("given twice", stderr, StringComparison.Ordinal);
        (code, _, stderr) = CliRunner.Run([.. options, "--out", folder.File("typed.h5")]);
        Assert.True(code == 0, stderr);

        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            a, b = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')
            for d in ['windows/time', 'ephys/data', 'ephys/source_index']:
                assert np.array_equal(a[d][:], b[d][:]), d
            print('ok')
            """,
            folder.File("from-file.h5"),
            folder.File("typed.h5"));
        Assert.Equal("ok", check.Trim());
    }
}
