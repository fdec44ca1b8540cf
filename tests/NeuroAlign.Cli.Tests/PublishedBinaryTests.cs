using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// The single-file build of scripts/publish.sh (artifacts/neuro-align), built when it is missing or
/// older than the sources (test.sh builds it first), run as a user without .NET runs it: an
/// environment holding nothing but PATH (ffmpeg and ffprobe only), HOME and TMPDIR.
/// </summary>
public sealed class PublishedBinary : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly Lazy<(int Code, string Out, string Error, string Folder)> _demo;

    public PublishedBinary()
    {
        _demo = new(() =>
        {
            string folder = NewFolder("demo");
            var (code, stdout, stderr) = RunWithoutDotnet(["demo", "--dir", folder]);
            return (code, stdout, stderr, folder);
        });

        Executable = Path.Combine(RepoPaths.Root, "artifacts", "neuro-align");
        if (!File.Exists(Executable) || File.GetLastWriteTimeUtc(Executable) < NewestInputUtc())
        {
            var clock = Stopwatch.StartNew();
            var (code, stdout, stderr) = Run("bash", [Path.Combine(RepoPaths.Root, "scripts", "publish.sh")], environment: null, TimeSpan.FromMinutes(15));
            Assert.True(code == 0, $"scripts/publish.sh: exit {code}\n{stdout}\n{stderr}");
            PublishSeconds = clock.Elapsed.TotalSeconds;
        }

        // PATH with ffmpeg and ffprobe and nothing else: no dotnet, whatever this machine has.
        Tools = _folder.File("bin");
        Directory.CreateDirectory(Tools);
        foreach (string tool in new[] { "ffmpeg", "ffprobe" })
        {
            if (FindOnPath(tool) is { } path)
            {
                File.CreateSymbolicLink(Path.Combine(Tools, tool), path);
            }
        }

        Home = _folder.File("home");
        Directory.CreateDirectory(Home);
    }

    public string Executable { get; }

    /// <summary>How long publishing took, when this run published.</summary>
    public double? PublishSeconds { get; }

    public string Tools { get; }

    public string Home { get; }

    /// <summary>`neuro-align demo --dir FOLDER` run by the published binary, once.</summary>
    public (int Code, string Out, string Error, string Folder) Demo => _demo.Value;

    public string NewFolder(string name)
    {
        string path = _folder.File(name);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Runs the published neuro-align with only PATH (no dotnet), HOME and TMPDIR set, plus <paramref name="extra"/>.</summary>
    public (int Code, string Out, string Error) RunWithoutDotnet(string[] arguments, IReadOnlyDictionary<string, string>? extra = null) =>
        Run(Executable, arguments, WithoutDotnet(extra), TimeSpan.FromMinutes(3));

    public Dictionary<string, string> WithoutDotnet(IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal) { ["PATH"] = Tools, ["HOME"] = Home, ["TMPDIR"] = Home };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return environment;
    }

    public static (int Code, string Out, string Error) Run(string file, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        if (environment != null)
        {
            start.Environment.Clear();
            foreach (var (key, value) in environment)
            {
                start.Environment[key] = value;
            }
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{file} {string.Join(' ', arguments)}: still running after {timeout}");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string? FindOnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(folder => Path.Combine(folder, tool)).FirstOrDefault(File.Exists);

    /// <summary>The newest file the binary is built from: sources, project and build files, the script.</summary>
    private static DateTime NewestInputUtc()
    {
        string root = RepoPaths.Root;
        IEnumerable<string> sources = Directory.EnumerateFiles(Path.Combine(root, "src"), "*", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        string[] build = ["Directory.Build.props", "Directory.Packages.props", "global.json", "scripts/publish.sh"];
        return sources.Concat(build.Select(f => Path.Combine(root, f))).Where(File.Exists).Max(File.GetLastWriteTimeUtc);
    }

    public void Dispose() => _folder.Dispose();
}

/// <summary>
/// artifacts/neuro-align runs where no .NET is installed: self-contained (the host's own trace says so),
/// the demo's export read back by h5py shows the truth the demo prints, a sharded export starts the
/// same single file as its child processes, and a write failure is still the one-line error.
/// Slow the first time: publishing takes one to three minutes on a busy 2-core machine.
/// </summary>
[Slow]
public sealed partial class PublishedBinaryTests(PublishedBinary binary) : IClassFixture<PublishedBinary>
{
    [Fact]
    public void Version_SelfContainedWithoutDotnet()
    {
        string version = XDocument.Load(Path.Combine(RepoPaths.Root, "Directory.Build.props")).Descendants("Version").Single().Value;
        Assert.False(File.Exists(Path.Combine(binary.Tools, "dotnet")));

        var (code, stdout, stderr) = binary.RunWithoutDotnet(["--version"], new Dictionary<string, string> { ["COREHOST_TRACE"] = "1" });

        Assert.True(code == 0, stderr);
        Assert.Equal($"neuro-align {version}", stdout.Trim());
        // The host's trace: the runtime came from the bundle, not from an installed .NET.
        Assert.Contains("Executing as a self-contained app", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("/usr/share/dotnet", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("/usr/lib/dotnet", stderr, StringComparison.Ordinal);
    }

    [RequiresFact(Needs.Ffmpeg | Needs.Python)]
    public void Demo_ExitsZero_AndH5pyReadsWhatItSays()
    {
        var (code, stdout, stderr, folder) = binary.Demo;

        Assert.True(code == 0, $"exit {code}\n{stderr}\n{stdout}");
        Assert.Contains($"writing the sample session to {folder}", stdout, StringComparison.Ordinal);
        Assert.Matches($@"wrote {Regex.Escape(folder)}/aligned\.h5: 1 window\(s\)", stdout);
        Assert.Contains("sync ephys_1: linear", stdout, StringComparison.Ordinal);
        Assert.Contains("sync video: strobe", stdout, StringComparison.Ordinal);
        Assert.Contains("filter ephys: signal < 15 mV keeps 26.23 % of the values", stdout, StringComparison.Ordinal);

        // The QC report's plots need SkiaSharp's native library, bundled in the one file.
        Assert.Contains($"report: {folder}/aligned.report.html (", stdout, StringComparison.Ordinal);
        Assert.Contains("<title>NeuroAlign QC report: aligned.h5</title>", File.ReadAllText(Path.Combine(folder, "aligned.report.html")), StringComparison.Ordinal);

        // Every h5py line the demo prints, run, against the "expected:" line under it.
        string[] lines = stdout.ReplaceLineEndings("\n").Split('\n');
        int checks = 0;
        for (int i = 0; i + 1 < lines.Length; i++)
        {
            Match check = PythonCheck().Match(lines[i]);
            if (!check.Success)
            {
                continue;
            }

            string expected = ExpectedLine().Match(lines[i + 1]).Groups[1].Value;
            string actual = Python.Run(check.Groups[1].Value).Trim();
            AssertSameFigures(expected, actual, lines[i]);
            checks++;
        }

        Assert.Equal(5, checks);
    }

    [RequiresFact(Needs.Ffmpeg | Needs.Python)]
    public void ShardedExport_ChildProcessesAreThisBinary_AndWindowsHoldTheirSamples()
    {
        var (demo, _, demoError, folder) = binary.Demo;
        Assert.True(demo == 0, demoError);
        string output = Path.Combine(binary.NewFolder("jobs"), "every.h5");

        var (code, stdout, stderr) = binary.RunWithoutDotnet(
            ["--ephys", Path.Combine(folder, "demo_g0_t0.imec0.ap.bin"), "--every", "1", "--after", "0.01", "--jobs", "2", "--out", output]);

        Assert.True(code == 0, $"exit {code}\n{stderr}\n{stdout}");
        // With no dotnet on PATH the children can only be this same file (SelfCommand). Windows at 0, 1,
        // 2 and 3 s of the 4 s recording, split over two child processes; the demo's
        // raw value is channel × 64 + sample mod 64, so channel 5 tells each window's first sample.
        string found = Python.Run(
            """
            import sys, h5py
            f = h5py.File(sys.argv[1])
            t = f['windows/time'][:]
            i = f['ephys/source_index'][:, 0]
            ok = all(int(f['ephys/data'][w, 0, 5]) == 5 * 64 + int(i[w]) % 64 for w in range(len(t)))
            print(len(t), [round(float(x), 6) for x in t], [int(x) for x in i], ok)
            """,
            output).Trim();
        Assert.Equal("4 [0.0, 1.0, 2.0, 3.0] [0, 30000, 60000, 90000] True", found);
    }

    [RequiresFact(Needs.Ffmpeg | Needs.Python)]
    public void Report_HomeUnwritable_DrawnWithTheLibraryBesideTheBinary()
    {
        var (demo, _, demoError, folder) = binary.Demo;
        Assert.True(demo == 0, demoError);
        foreach (string library in new[] { "libSkiaSharp.so", "libHarfBuzzSharp.so" })
        {
            Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(binary.Executable)!, library)), $"publish.sh puts {library} beside neuro-align");
        }

        string html = Path.Combine(binary.NewFolder("nohome"), "r.html");

        // A HOME that does not exist (a cluster's job, a container): nothing is unpacked anywhere.
        var (code, stdout, stderr) = binary.RunWithoutDotnet(
            ["report", Path.Combine(folder, "aligned.h5"), "--html", html],
            new Dictionary<string, string> { ["HOME"] = "/nonexistent/home", ["TMPDIR"] = "/nonexistent/tmp" });

        Assert.True(code == 0, $"exit {code}\n{stderr}\n{stdout}");
        Assert.Contains($"report: {html} (", stdout, StringComparison.Ordinal);
        Assert.Contains("<title>NeuroAlign QC report: aligned.h5</title>", File.ReadAllText(html), StringComparison.Ordinal);
    }

    [RequiresFact(Needs.Ffmpeg | Needs.Python)]
    public void Report_WithoutTheNativeLibrary_OneLineAndTheExportKept()
    {
        var (demo, _, demoError, folder) = binary.Demo;
        Assert.True(demo == 0, demoError);

        // The binary copied alone (File.Copy keeps its mode), without its native plotting libraries.
        string alone = binary.NewFolder("alone");
        string executable = Path.Combine(alone, "neuro-align");
        File.Copy(binary.Executable, executable);
        string output = Path.Combine(alone, "o.h5");
        var (code, stdout, stderr) = PublishedBinary.Run(
            executable, ["--ephys", Path.Combine(folder, "demo_g0_t0.imec0.ap.bin"), "--time", "1", "--after", "0.01", "--out", output, "--report"], binary.WithoutDotnet(), TimeSpan.FromMinutes(2));

        Assert.True(code == 1, $"exit {code}\n{stderr}\n{stdout}");
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith($"neuro-align: error: {output} is written and complete, but {Path.Combine(alone, "o.report.html")} is not: the report cannot be drawn: the plotting library's native code did not load (", stderr, StringComparison.Ordinal);
        Assert.EndsWith($"keep libSkiaSharp.so and libHarfBuzzSharp.so beside the neuro-align executable (in {alone}), as scripts/publish.sh ships them", stderr.Trim(), StringComparison.Ordinal);
        Assert.Equal("1", Python.Run("import sys, h5py; print(len(h5py.File(sys.argv[1], 'r')['windows/time']))", output).Trim());
        Assert.False(File.Exists(Path.Combine(alone, "o.report.html")));
    }

    [RequiresFact(Needs.Python)]
    public void WriteFailure_FileSizeLimit_OneLineError()
    {
        string folder = binary.NewFolder("efbig");
        string recording = Path.Combine(folder, "r.bin");
        SyntheticEphys.WriteInt16(recording, 30_000 * 8, 64);
        string output = Path.Combine(folder, "o.h5");

        // A 20 MB file-size limit against 31 MB of windows (SIGXFSZ ignored so write() fails with EFBIG;
        // far lower and the runtime cannot start). Hdf5Sink tells EFBIG by Exception.TargetSite, which
        // trimming could in principle break (the reviewed IL2026 in publish.sh).
        var (code, stdout, stderr) = PublishedBinary.Run(
            Python.Executable,
            ["-c", "import os, resource, signal, sys\nsignal.signal(signal.SIGXFSZ, signal.SIG_IGN)\nresource.setrlimit(resource.RLIMIT_FSIZE, (20_000_000, 20_000_000))\nos.execv(sys.argv[1], sys.argv[1:])",
             binary.Executable, "--ephys", recording, "--ephys-channels", "64", "--every", "1", "--after", "1", "--compression", "none", "--out", output],
            binary.WithoutDotnet(),
            TimeSpan.FromMinutes(2));

        Assert.True(code == 1, $"exit {code}\n{stderr}\n{stdout}");
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("EFBIG", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    /// <summary>The same words; a figure the demo gives as ~N may differ from N by up to 5.</summary>
    private static void AssertSameFigures(string expected, string actual, string check)
    {
        string[] want = expected.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string[] got = actual.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(want.Length == got.Length, $"{check}\nexpected {expected}\nprinted  {actual}");
        for (int k = 0; k < want.Length; k++)
        {
            if (want[k].StartsWith('~'))
            {
                double about = double.Parse(want[k][1..], CultureInfo.InvariantCulture);
                Assert.InRange(double.Parse(got[k], CultureInfo.InvariantCulture), about - 5, about + 5);
            }
            else
            {
                Assert.True(want[k] == got[k], $"{check}\nexpected {expected}\nprinted  {actual}");
            }
        }
    }

    [GeneratedRegex("^  /usr/bin/python3 -c \"(.*)\"$")]
    private static partial Regex PythonCheck();

    [GeneratedRegex(@"^  expected: (.*?)  \(")]
    private static partial Regex ExpectedLine();
}
