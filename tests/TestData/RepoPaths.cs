namespace NeuroAlign.TestData;

/// <summary>Where the repository and the shared sample files are, found from the test binaries.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "NeuroAlign.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (NeuroAlign.slnx) above " + AppContext.BaseDirectory);
    });

    /// <summary>The folder holding NeuroAlign.slnx.</summary>
    public static string Root => LazyRoot.Value;

    /// <summary>
    /// ../shared/data beside the repository (real files made by others); may be absent. A helper's
    /// git worktree in /work/wt/NAME finds it one level further up.
    /// </summary>
    public static string SharedData
    {
        get
        {
            string beside = Path.GetFullPath(Path.Combine(Root, "..", "shared", "data"));
            string aboveWorktree = Path.GetFullPath(Path.Combine(Root, "..", "..", "shared", "data"));
            return !Directory.Exists(beside) && Directory.Exists(aboveWorktree) ? aboveWorktree : beside;
        }
    }

    /// <summary>Whether ../shared/data is there.</summary>
    public static bool HasSharedData => Directory.Exists(SharedData);

    /// <summary>A file under ../shared/data.</summary>
    public static string Shared(params string[] parts) => Path.Combine([SharedData, .. parts]);
}
