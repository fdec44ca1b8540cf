using System.Diagnostics;

namespace NeuroAlign.TestData;

/// <summary>Mounting a small tmpfs that fills up (root, with the right to mount: true in CI here).</summary>
public static class SmallTmpfs
{
    private static readonly Lazy<string?> LazyMissing = new(() =>
    {
        if (Environment.UserName != "root" || !File.Exists("/bin/mount"))
        {
            return "needs root and mount(8) to make a small tmpfs that fills up";
        }

        string probe = Directory.CreateTempSubdirectory("neuroalign-mount-probe-").FullName;
        try
        {
            Mount(probe, "1m");
            Unmount(probe);
            return null;
        }
        catch (InvalidOperationException e)
        {
            return "cannot mount a tmpfs here: " + e.Message;
        }
        finally
        {
            Directory.Delete(probe);
        }
    });

    public static string? MissingReason => LazyMissing.Value;

    public static void Mount(string folder, string size) => Run("/bin/mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", folder);

    public static void Unmount(string folder) => Run("/bin/umount", folder);

    private static void Run(string tool, params string[] args)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info)!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)}: {error.Trim()}");
        }
    }
}
