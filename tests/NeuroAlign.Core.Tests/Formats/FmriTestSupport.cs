using System.Diagnostics;

namespace NeuroAlign.Core.Tests.Formats;

/// <summary>Where the repository, the shared sample data and the Python oracle are.</summary>
internal static class FmriTestEnvironment
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<string?> RepoRootLazy = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NeuroAlign.slnx")))
            {
                return dir.FullName;
            }
        }

        return null;
    });

    private static readonly Lazy<string?> NibabelProblem = new(() =>
    {
        if (!File.Exists(Python))
        {
            return $"{Python} is absent (Debian's python with numpy and nibabel is the oracle)";
        }

        try
        {
            RunPython("import nibabel, numpy");
            return null;
        }
        catch (InvalidOperationException e)
        {
            return $"{Python} cannot import nibabel/numpy: {e.Message}";
        }
    });

    public static string RepoRoot => RepoRootLazy.Value ?? throw new InvalidOperationException("NeuroAlign.slnx not found above the test binaries");

    /// <summary>../shared/data beside the repository root, or null when absent.</summary>
    public static string? SharedData
    {
        get
        {
            if (RepoRootLazy.Value is not { } root)
            {
                return null;
            }

            // ../shared/data beside the clone (CI, /work/main); one level further up from a worktree in /work/wt/.
            return new[] { Path.Combine(root, "..", "shared", "data"), Path.Combine(root, "..", "..", "shared", "data") }
                .Select(Path.GetFullPath)
                .FirstOrDefault(Directory.Exists);
        }
    }

    public static string SharedDataSkipReason => "the shared sample data (../shared/data beside the repository root) is absent";

    /// <summary>Null when nibabel can be used, else why not.</summary>
    public static string? NibabelSkipReason => NibabelProblem.Value;

    public static string OracleScript => Path.Combine(RepoRoot, "tests", "NeuroAlign.Core.Tests", "Formats", "Nifti", "nibabel_oracle.py");

    /// <summary>Runs Debian's python with <paramref name="arguments"/> (the first may be "-c" and a script); returns stdout.</summary>
    public static string RunPython(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (File.Exists(script))
        {
            start.ArgumentList.Add(script);
        }
        else
        {
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(script);
        }

        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("python did not start");
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        string stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"python exited {process.ExitCode}: {stderr.Trim()}");
        }

        return stdout.Result;
    }
}

/// <summary>A fact that needs ../shared/data.</summary>
internal sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute()
    {
        if (FmriTestEnvironment.SharedData is null)
        {
            Skip = FmriTestEnvironment.SharedDataSkipReason;
        }
    }
}

/// <summary>A fact that needs Debian's python with nibabel (and, if asked, the shared data).</summary>
internal sealed class NibabelFactAttribute : FactAttribute
{
    public NibabelFactAttribute(bool needsSharedData = false)
    {
        if (needsSharedData && FmriTestEnvironment.SharedData is null)
        {
            Skip = FmriTestEnvironment.SharedDataSkipReason;
        }
        else if (FmriTestEnvironment.NibabelSkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>A folder deleted when the test ends.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "neuroalign-fmri-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
