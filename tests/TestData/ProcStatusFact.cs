namespace NeuroAlign.TestData;

/// <summary>A fact that reads this process's memory figures from /proc/self/status (Linux); skipped elsewhere.</summary>
public sealed class ProcStatusFactAttribute : FactAttribute
{
    public ProcStatusFactAttribute()
    {
        if (!File.Exists("/proc/self/status"))
        {
            Skip = "needs /proc/self/status (Linux) to measure the process's resident pages";
        }
    }
}

/// <summary>A theory that reads this process's memory figures from /proc/self/status (Linux); skipped elsewhere.</summary>
public sealed class ProcStatusTheoryAttribute : TheoryAttribute
{
    public ProcStatusTheoryAttribute()
    {
        if (!File.Exists("/proc/self/status"))
        {
            Skip = "needs /proc/self/status (Linux) to measure the process's resident pages";
        }
    }
}
