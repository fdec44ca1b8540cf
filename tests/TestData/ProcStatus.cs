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

/// <summary>A theory that reads this process's memory figures from /proc/self/status; skipped elsewhere.</summary>
public sealed class ProcStatusTheoryAttribute : TheoryAttribute
{
    public ProcStatusTheoryAttribute() => Skip = ProcStatus.MissingReason;
}

/// <summary>A fact that reads this process's memory figures from /proc/self/status; skipped elsewhere.</summary>
public sealed class ProcStatusFactAttribute : FactAttribute
{
    public ProcStatusFactAttribute() => Skip = ProcStatus.MissingReason;
}
