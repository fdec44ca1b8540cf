namespace NeuroAlign.TestData;

/// <summary>What a test needs beyond the .NET SDK; a test whose needs are not met here is skipped with the reason.</summary>
[Flags]
public enum Needs
{
    None = 0,

    /// <summary>/usr/bin/python3 with numpy, h5py and nibabel: the independent oracle.</summary>
    Python = 1,

    /// <summary>The real sample files in ../shared/data, which a plain clone does not have.</summary>
    SharedData = 2,

    /// <summary>ffmpeg and ffprobe on PATH: what video tests make videos with and decode against.</summary>
    Ffmpeg = 4,

    /// <summary>A running Slurm cluster (scripts/slurm-test-cluster/start.sh).</summary>
    Slurm = 8,

    /// <summary>/proc/self/status (Linux), to measure the process's resident pages.</summary>
    ProcStatus = 16,

    /// <summary>Root and mount(8), to make a small tmpfs that fills up.</summary>
    SmallTmpfs = 32,

    /// <summary>Debian's chromium, headless: renders the QC report's HTML to a screenshot.</summary>
    Chromium = 64,
}

/// <summary>Why the needs of a test are not met here.</summary>
public static class Requirements
{
    /// <summary>One reason per unmet need, joined; null when every need is met.</summary>
    public static string? MissingReason(Needs needs)
    {
        var reasons = new List<string>();
        void Check(Needs need, Func<string?> reason)
        {
            if (needs.HasFlag(need) && reason() is { } missing)
            {
                reasons.Add(missing);
            }
        }

        Check(Needs.SharedData, () => RepoPaths.HasSharedData ? null : $"needs the real sample files in {RepoPaths.SharedData}, which a plain clone does not have");
        Check(Needs.Python, () => Python.MissingReason);
        Check(Needs.Ffmpeg, () => Ffmpeg.MissingReason);
        Check(Needs.Slurm, () => SlurmCluster.MissingReason);
        Check(Needs.ProcStatus, () => ProcStatus.MissingReason);
        Check(Needs.SmallTmpfs, () => TestData.SmallTmpfs.MissingReason);
        Check(Needs.Chromium, () => TestData.Chromium.MissingReason);
        return reasons.Count == 0 ? null : string.Join("; ", reasons);
    }
}

/// <summary>A fact that runs only where <see cref="Needs"/> are met, e.g. <c>[RequiresFact(Needs.Python | Needs.SharedData)]</c>; skipped with the reasons elsewhere.</summary>
public sealed class RequiresFactAttribute : FactAttribute
{
    public RequiresFactAttribute(Needs needs)
    {
        Needs = needs;
        Skip = Requirements.MissingReason(needs);
    }

    public Needs Needs { get; }
}

/// <summary>The theory twin of <see cref="RequiresFactAttribute"/>.</summary>
public sealed class RequiresTheoryAttribute : TheoryAttribute
{
    public RequiresTheoryAttribute(Needs needs)
    {
        Needs = needs;
        Skip = Requirements.MissingReason(needs);
    }

    public Needs Needs { get; }
}
