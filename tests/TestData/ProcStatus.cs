namespace NeuroAlign.TestData;

/// <summary>This process's memory figures in /proc/self/status (Linux only).</summary>
public static class ProcStatus
{
    /// <summary>Why the figures cannot be read here, or null when they can.</summary>
    public static string? MissingReason =>
        File.Exists("/proc/self/status") ? null : "needs /proc/self/status (Linux) to measure the process's resident pages";

    /// <summary>RssFile: the file-backed pages mapped into this process, KiB.</summary>
    public static long RssFileKiB() =>
        long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("RssFile:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
}
