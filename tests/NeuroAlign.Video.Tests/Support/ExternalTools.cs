using System.Text;

namespace NeuroAlign.Video.Tests.Support;

/// <summary>The independent tools the tests use as oracles: Debian's ffmpeg/ffprobe and numpy.</summary>
internal static class ExternalTools
{
    public const string DebianPython = "/usr/bin/python3";

    private static readonly Lazy<bool> NumpyPresent = new(() =>
        File.Exists(DebianPython) && TryRun(DebianPython, ["-c", "import numpy"], out _));

    public static bool HasFfmpeg => TestData.Ffmpeg.MissingReason is null;

    public static bool HasNumpy => NumpyPresent.Value;

    /// <summary>The repository root: the folder holding NeuroAlign.slnx.</summary>
    public static string RepositoryRoot
    {
        get
        {
            var folder = new DirectoryInfo(AppContext.BaseDirectory);
            while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "NeuroAlign.slnx")))
            {
                folder = folder.Parent;
            }

            return folder?.FullName ?? throw new InvalidOperationException("NeuroAlign.slnx not found above the test binaries");
        }
    }

    /// <summary>
    /// ../shared/data beside the repository (CI's layout), or ../../shared/data (a git worktree
    /// under a sibling folder), or null when absent.
    /// </summary>
    public static string? SharedData =>
        new[] { Path.Combine(RepositoryRoot, "..", "shared", "data"), Path.Combine(RepositoryRoot, "..", "..", "shared", "data") }
            .Select(Path.GetFullPath)
            .FirstOrDefault(Directory.Exists);

    /// <summary>Runs a tool and returns its stdout bytes; fails the test with its stderr when it fails.</summary>
    public static byte[] Run(string tool, IEnumerable<string> arguments) => TestData.Ffmpeg.RunTool(tool, arguments);

    public static string RunText(string tool, IEnumerable<string> arguments) => Encoding.UTF8.GetString(Run(tool, arguments));

    /// <summary>ffmpeg -y -v error ARGS.</summary>
    public static void Ffmpeg(params string[] arguments) => TestData.Ffmpeg.Run(arguments);

    /// <summary>The decoding oracle: a full sequential ffmpeg decode (see <see cref="TestData.Ffmpeg.FullDecode"/>).</summary>
    public static byte[] FullDecode(string video, string pixelFormat, string? scale = null) => TestData.Ffmpeg.FullDecode(video, pixelFormat, scale);

    private static bool TryRun(string tool, string[] arguments, out string output)
    {
        try
        {
            output = RunText(tool, arguments);
            return true;
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            output = string.Empty;
            return false;
        }
    }
}

/// <summary>A fact that needs ffmpeg and Debian's python with numpy.</summary>
internal sealed class NumpyFactAttribute : FactAttribute
{
    public NumpyFactAttribute()
    {
        if (!ExternalTools.HasFfmpeg)
        {
            Skip = "ffmpeg/ffprobe not on PATH (apt-get install ffmpeg)";
        }
        else if (!ExternalTools.HasNumpy)
        {
            Skip = $"{ExternalTools.DebianPython} with numpy not available (apt-get install python3-numpy)";
        }
    }
}

/// <summary>A fact that needs ../shared/data (the real sample files), ffmpeg and numpy.</summary>
internal sealed class SharedVideoFactAttribute : FactAttribute
{
    public SharedVideoFactAttribute()
    {
        if (ExternalTools.SharedData is null)
        {
            Skip = "../shared/data (real sample files) not found beside the repository";
        }
        else if (!ExternalTools.HasFfmpeg)
        {
            Skip = "ffmpeg/ffprobe not on PATH (apt-get install ffmpeg)";
        }
        else if (!ExternalTools.HasNumpy)
        {
            Skip = $"{ExternalTools.DebianPython} with numpy not available (apt-get install python3-numpy)";
        }
    }
}
