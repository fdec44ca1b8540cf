using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Formats;

/// <summary>The nibabel oracle script and the shared sample folders the fMRI tests use.</summary>
internal static class FmriTestEnvironment
{
    public static string OracleScript => Path.Combine(RepoPaths.Root, "tests", "NeuroAlign.Core.Tests", "Formats", "Nifti", "nibabel_oracle.py");

    /// <summary>A folder or file under ../shared/data.</summary>
    public static string Shared(params string[] parts) => RepoPaths.Shared(parts);

    /// <summary>Runs nibabel_oracle.py with <paramref name="arguments"/>; returns its stdout.</summary>
    public static string RunOracle(params string[] arguments) =>
        Python.Run("import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__')", [OracleScript, .. arguments]);
}
