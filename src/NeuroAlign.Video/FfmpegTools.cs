using System.ComponentModel;
using System.Diagnostics;

namespace NeuroAlign.Video;

/// <summary>
/// Finds Debian's (or any) ffmpeg and ffprobe executables and starts them. The one place that
/// knows how processes are launched, so a missing install is reported the same way everywhere.
/// </summary>
internal sealed class FfmpegTools
{
    /// <summary>The advice given whenever ffmpeg cannot be run.</summary>
    public const string InstallAdvice =
        "install it with `apt-get install ffmpeg` (Debian/Ubuntu), `dnf install ffmpeg` (Fedora) or `brew install ffmpeg` (macOS)";

    private FfmpegTools(string ffmpegPath, string ffprobePath)
    {
        FfmpegPath = ffmpegPath;
        FfprobePath = ffprobePath;
    }

    public string FfmpegPath { get; }

    public string FfprobePath { get; }

    /// <summary>Finds both tools in <paramref name="directory"/>, or on PATH when it is null.</summary>
    public static FfmpegTools Locate(string? directory)
    {
        return new FfmpegTools(Find("ffmpeg", directory), Find("ffprobe", directory));
    }

    /// <summary>Starts <paramref name="executable"/> with stdout and stderr redirected (stdin closed).</summary>
    public static Process Start(string executable, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            return Process.Start(start) ?? throw new NeuroAlignException($"{executable}: could not be started; {InstallAdvice}");
        }
        catch (Win32Exception e)
        {
            throw new NeuroAlignException($"{executable}: cannot run ({e.Message}); {InstallAdvice}", e);
        }
    }

    private static string Find(string tool, string? directory)
    {
        string file = OperatingSystem.IsWindows() ? tool + ".exe" : tool;
        if (directory is not null)
        {
            string candidate = Path.Combine(directory, file);
            return File.Exists(candidate)
                ? candidate
                : throw new NeuroAlignException($"{tool} not found in {directory}: ffmpeg is required for video; {InstallAdvice}");
        }

        string[] folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (string folder in folders)
        {
            string candidate = Path.Combine(folder, file);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new NeuroAlignException($"{tool} not found on PATH: ffmpeg is required for video; {InstallAdvice}");
    }
}
