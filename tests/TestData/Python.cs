using System.Diagnostics;

namespace NeuroAlign.TestData;

/// <summary>
/// Debian's python3 with numpy, h5py and nibabel: the independent implementation tests compare
/// against. (The python3 first on PATH may lack them; this one is /usr/bin/python3.)
/// </summary>
public static class Python
{
    public const string Executable = "/usr/bin/python3";

    private static readonly Lazy<string?> LazyMissing = new(() =>
    {
        if (!File.Exists(Executable))
        {
            return $"{Executable} is not installed (apt-get install python3-numpy python3-h5py python3-nibabel)";
        }

        try
        {
            Run("import numpy, h5py, nibabel");
            return null;
        }
        catch (InvalidOperationException e)
        {
            return $"{Executable} lacks numpy/h5py/nibabel (apt-get install python3-numpy python3-h5py python3-nibabel): {e.Message}";
        }
    });

    /// <summary>Why the oracle cannot run here, or null when it can.</summary>
    public static string? MissingReason => LazyMissing.Value;

    /// <summary>Runs <paramref name="script"/> with <paramref name="args"/> as sys.argv[1:]; returns stdout, throws with stderr on failure.</summary>
    public static string Run(string script, params string[] args)
    {
        var info = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(script);
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + Executable);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"python exited {process.ExitCode}: {stderr.Result}");
        }

        return stdout;
    }
}
