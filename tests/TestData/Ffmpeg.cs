using System.Diagnostics;

namespace NeuroAlign.TestData;

/// <summary>Debian's ffmpeg and ffprobe: what video tests make videos with, and the oracle they decode against.</summary>
public static class Ffmpeg
{
    private static readonly Lazy<string?> LazyMissing = new(() =>
    {
        string[] folders = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (string tool in new[] { "ffmpeg", "ffprobe" })
        {
            if (!folders.Any(f => File.Exists(Path.Combine(f, tool))))
            {
                return $"{tool} is not on PATH (apt-get install ffmpeg)";
            }
        }

        return null;
    });

    /// <summary>Why ffmpeg cannot run here, or null when it can.</summary>
    public static string? MissingReason => LazyMissing.Value;

    /// <summary>Runs ffmpeg (-y -v error -nostdin first) and returns its stdout; throws with stderr on failure.</summary>
    public static byte[] Run(params string[] arguments) => RunTool("ffmpeg", ["-y", "-v", "error", "-nostdin", .. arguments]);

    /// <summary>Runs any tool and returns its stdout; throws with stderr on failure.</summary>
    public static byte[] RunTool(string tool, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start " + tool);
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var output = new MemoryStream();
        process.StandardOutput.BaseStream.CopyTo(output);
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', info.ArgumentList)} exited {process.ExitCode}: {stderr.Result}");
        }

        return output.ToArray();
    }

    /// <summary>
    /// The decoding oracle: every frame of the first video stream, decoded in sequence (no seek),
    /// converted to <paramref name="pixelFormat"/> (and scaled) by ffmpeg. passthrough keeps
    /// variable-rate frames as they are; the rawvideo muxer would otherwise force a constant rate.
    /// </summary>
    public static byte[] FullDecode(string video, string pixelFormat, string? scale = null)
    {
        var arguments = new List<string> { "-i", video, "-map", "0:v:0", "-fps_mode", "passthrough" };
        if (scale is not null)
        {
            arguments.AddRange(["-vf", $"scale={scale}"]);
        }

        arguments.AddRange(["-pix_fmt", pixelFormat, "-f", "rawvideo", "-"]);
        return Run([.. arguments]);
    }
}
