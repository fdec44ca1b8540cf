using System.Diagnostics;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests.ScaleOut;

/// <summary>Small recordings, the export everything is compared with, and the h5py comparison of two files.</summary>
internal static class ScaleOutFiles
{
    public const int Channels = 16;

    /// <summary>The options of the test export: 16-channel raw int16 at 30 kHz, a window every 0.1 s.</summary>
    public static string[] ExportOptions(string recording) =>
        ["--ephys", recording, "--ephys-channels", "16", "--every", "0.1", "--before", "0.01", "--after", "0.04"];

    /// <summary>A raw 16-channel int16 recording of <paramref name="seconds"/> at 30 kHz whose values are known (SyntheticEphys).</summary>
    public static string Recording(TempFolder folder, string name = "rec.dat", double seconds = 3)
    {
        string path = folder.File(name);
        SyntheticEphys.WriteInt16(path, (long)(seconds * 30000), Channels);
        return path;
    }

    /// <summary>
    /// h5py: both files hold the same datasets with the same dtype, shape, chunks, compression and
    /// values (NaN equal to NaN), and the recording's samples where source_index says. Returns the
    /// number of datasets compared.
    /// </summary>
    public static int AssertSameDatasets(string expected, string actual, string? recording = null)
    {
        string output = Python.Run(
            """
            import sys, h5py, numpy as np
            a, b = h5py.File(sys.argv[1], 'r'), h5py.File(sys.argv[2], 'r')
            names, other = [], []
            a.visit(names.append)
            b.visit(other.append)
            assert sorted(names) == sorted(other), (names, other)
            n = 0
            for name in names:
                if isinstance(a[name], h5py.Dataset):
                    x, y = a[name], b[name]
                    assert (x.dtype, x.shape, x.chunks, x.compression) == (y.dtype, y.shape, y.chunks, y.compression), name
                    assert np.array_equal(x[()], y[()], equal_nan=x.dtype.kind == 'f'), name
                    n += 1
            if len(sys.argv) > 3:
                rec = np.memmap(sys.argv[3], dtype=np.int16, mode='r').reshape(-1, 16)
                si, data = b['ephys/source_index'][()], b['ephys/data'][()]
                inside = si >= 0
                assert np.array_equal(data[inside], rec[si[inside]])
                assert (data[~inside] == 0).all()
            print(n)
            """,
            [expected, actual, .. recording is null ? Array.Empty<string>() : [recording]]);
        int count = int.Parse(output.Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(count >= 7, $"only {count} datasets compared");
        return count;
    }

    /// <summary>Runs the real neuro-align (dotnet neuro-align.dll) with <paramref name="environment"/> changes: exit code, stdout, stderr.</summary>
    public static (int Code, string Out, string Error) RunProcess(IReadOnlyDictionary<string, string> environment, string workingDirectory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = workingDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "neuro-align.dll"));
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }
}
