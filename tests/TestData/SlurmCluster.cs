using System.Diagnostics;

namespace NeuroAlign.TestData;

/// <summary>
/// A Slurm cluster that answers here: sinfo reports a node that can run jobs. ./test.sh starts a
/// one-node cluster with scripts/slurm-test-cluster/start.sh when it runs as root (installing
/// Debian's slurm-wlm and munge with apt when missing); elsewhere the Slurm tests skip.
/// </summary>
public static class SlurmCluster
{
    private static readonly Lazy<string?> LazyMissing = new(() =>
    {
        var (code, stdout, stderr) = Run("sinfo", "-h", "-o", "%T");
        if (code == null)
        {
            return "Slurm is not installed (no sinfo on PATH); ./test.sh starts a one-node cluster when run as root: scripts/slurm-test-cluster/start.sh";
        }

        string[] states = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return code == 0 && states.Any(s => s is "idle" or "mixed" or "allocated")
            ? null
            : $"no Slurm node is up (sinfo: {(code == 0 ? string.Join(", ", states) : stderr.Trim())}); start one as root with scripts/slurm-test-cluster/start.sh";
    });

    /// <summary>Why the Slurm tests cannot run here, or null when they can.</summary>
    public static string? MissingReason => LazyMissing.Value;

    /// <summary>Waits until squeue lists none of <paramref name="jobIds"/> as pending or running; false on timeout.</summary>
    public static bool WaitForJobs(TimeSpan timeout, params string[] jobIds)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            var (_, stdout, _) = Run("squeue", "-h", "-j", string.Join(',', jobIds), "-o", "%i %T");
            if (stdout.Trim().Length == 0)
            {
                return true;
            }

            Thread.Sleep(250);
        }

        return false;
    }

    /// <summary>Runs a Slurm command: exit code (null when the command is not installed), stdout, stderr.</summary>
    public static (int? Code, string Stdout, string Stderr) Run(string command, params string[] args)
    {
        var info = new ProcessStartInfo(command) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        try
        {
            using var process = Process.Start(info)!;
            Task<string> stderr = process.StandardError.ReadToEndAsync();
            string stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, stdout, stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return (null, string.Empty, string.Empty);
        }
    }
}
