using System.Diagnostics;

namespace NeuroAlign.TestData;

/// <summary>
/// Debian's chromium, headless: loads a page as a person's browser would and writes what it shows
/// to a PNG (<c>--screenshot</c>) or the document after its scripts ran (<c>--dump-dom</c>).
/// </summary>
public static class Chromium
{
    private static readonly Lazy<string?> LazyPath = new(() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(f => Path.Combine(f, "chromium"))
            .FirstOrDefault(File.Exists));

    /// <summary>Why chromium cannot run here, or null when it can.</summary>
    public static string? MissingReason => LazyPath.Value is null ? "chromium is not on PATH (apt-get install chromium; scripts/install-prerequisites.sh does)" : null;

    /// <summary>Renders <paramref name="htmlPath"/> in a window of the given size to <paramref name="pngPath"/>.</summary>
    public static void Screenshot(string htmlPath, string pngPath, int width, int height) =>
        Run($"--screenshot={pngPath}", $"--window-size={width},{height}", new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri);

    /// <summary>The document of <paramref name="htmlPath"/> after its scripts ran, in a window of the given size.</summary>
    public static string DumpDom(string htmlPath, int width, int height) =>
        Run($"--window-size={width},{height}", "--dump-dom", new Uri(Path.GetFullPath(htmlPath)).AbsoluteUri);

    private static string Run(params string[] arguments)
    {
        var info = new ProcessStartInfo(LazyPath.Value ?? throw new InvalidOperationException(MissingReason))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // --no-sandbox: tests run as root in CI, where chromium's sandbox refuses to start.
        foreach (string a in (string[])["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--allow-file-access-from-files", .. arguments])
        {
            info.ArgumentList.Add(a);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("cannot start chromium");
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException("chromium did not finish in 60 s");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"chromium exited {process.ExitCode}: {stderr.Result}");
        }

        return stdout;
    }
}
