using System.Diagnostics;
using System.Text.RegularExpressions;
using NeuroAlign.Cli.ScaleOut;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// Every `neuro-align …` command line in README.md and docs/**/*.md keeps working as written: each
/// is run against the real CLI (in-process) on fixtures of the kind its placeholder names
/// (<see cref="DocumentedCommandLines.Inputs"/>), to exit 0, or to the error the docs show, and
/// anything the docs show it printing must still be printed. Usage synopses are recognised and left
/// out by rule, and the number of lines run is asserted, so a line that stops being recognised is
/// noticed.
/// </summary>
public sealed partial class DocumentedCommandLinesTests(DocsSession session, ITestOutputHelper log) : IClassFixture<DocsSession>
{
    /// <summary>The command lines the docs held when this was written (21 checked, 17 synopses or names left out): fewer run means one dropped out.</summary>
    private const int MinimumLinesChecked = 21;

    public static TheoryData<string, string> Lines()
    {
        var data = new TheoryData<string, string>();
        foreach (DocumentedLine line in DocumentedCommandLines.All())
        {
            if (DocumentedCommandLines.Classify(line) != LineKind.Excluded)
            {
                data.Add(string.Join(", ", line.Sources), line.Text);
            }
        }

        return data;
    }

    [Fact]
    public void EveryDocumentedLine_IsCheckedOrExcludedByRule()
    {
        IReadOnlyList<DocumentedLine> lines = DocumentedCommandLines.All();
        foreach (var group in lines.GroupBy(DocumentedCommandLines.Classify).OrderBy(g => g.Key))
        {
            log.WriteLine($"{group.Key}: {group.Count()}");
            foreach (DocumentedLine line in group)
            {
                log.WriteLine($"  {string.Join(", ", line.Sources)}: {line.Text}");
            }
        }

        int checkedCount = lines.Count(l => DocumentedCommandLines.Classify(l) != LineKind.Excluded);
        Assert.True(checkedCount >= MinimumLinesChecked, $"only {checkedCount} documented command lines are checked, expected at least {MinimumLinesChecked}: did a docs line stop being recognised?");

        // The rule leaves out what is not a command line, and nothing else.
        Assert.All(lines.Where(l => DocumentedCommandLines.Classify(l) == LineKind.Excluded), l =>
            Assert.Matches(@"\[|\.\.\.|…| \| |\b[A-Z][A-Z0-9_-]+\b|^neuro-align [a-z]+$|\S {2,}[^#\s]", l.Text));
        Assert.Contains(lines, l => l.Sources.Contains("README.md:10"));
    }

    [Fact]
    public void Tokenize_QuotesAndComments()
    {
        Assert.Equal(
            ["neuro-align", "info", "--filter", "ephys: signal > 0.8 mV", "x.bin"],
            DocumentedCommandLines.Tokenize("neuro-align info --filter \"ephys: signal > 0.8 mV\" x.bin      # fraction kept"));
        Assert.Equal(["a", "it's # not", "b#c"], DocumentedCommandLines.Tokenize("a 'it'\"'\"'s # not' b#c"));
    }

    [Slow]
    [RequiresTheory(Needs.Ffmpeg)]
    [MemberData(nameof(Lines))]
    public void DocumentedLine_WorksAsWritten(string sources, string text)
    {
        DocumentedLine line = DocumentedCommandLines.All().Single(l => l.Text == text);
        LineKind kind = DocumentedCommandLines.Classify(line);
        string work = session.NewWorkFolder();
        var (arguments, substituted) = DocumentedCommandLines.Arguments(line, kind, session.Folder, work);

        var clock = Stopwatch.StartNew();
        var (code, stdout, stderr) = kind == LineKind.RunsInFolder ? RunInFolder(work, arguments) : CliRunner.Run(arguments);
        log.WriteLine($"{sources}: {kind}, exit {code} in {clock.Elapsed.TotalSeconds:F2} s: neuro-align {string.Join(' ', arguments)}");
        string because = $"{sources}: {text}\nexit {code}\nstderr: {stderr}\nstdout: {stdout}";

        switch (kind)
        {
            case LineKind.Runs or LineKind.RunsInFolder or LineKind.SlurmDryRun:
                Assert.True(code == 0, because);
                break;
            case LineKind.FailsAsDocumented:
                Assert.True(code == 1, because);
                Assert.Equal(
                    line.DocumentedOutput.Where(o => o.StartsWith("neuro-align: error:", StringComparison.Ordinal)),
                    Normalise(stderr, substituted).Split('\n', StringSplitOptions.RemoveEmptyEntries));
                break;
            case LineKind.ParsesOnly:
                Assert.True(code == 1, because);
                Assert.StartsWith("neuro-align: error:", stderr, StringComparison.Ordinal);
                Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                break;
            default:
                throw new InvalidOperationException($"{kind} lines are not run");
        }

        if (kind is LineKind.Runs or LineKind.RunsInFolder)
        {
            foreach (var (path, docName) in substituted.Where(s => s.Path.StartsWith(work, StringComparison.Ordinal)))
            {
                Assert.True(File.Exists(path) || Directory.Exists(path), $"{sources}: {docName} was not written\n{because}");
            }

            // What the docs show it printing (a "..." stands for lines left out).
            string[] printed = Normalise(stdout + "\n" + stderr, substituted).Split('\n');
            foreach (string shown in line.DocumentedOutput.Where(o => o.Trim() != "..."))
            {
                Assert.True(printed.Contains(MaskTimings(shown)), $"{sources}: the docs show\n{shown}\nbut it printed\n{string.Join('\n', printed)}");
            }
        }
    }

    /// <summary>Output as the docs would show it: the fixtures' paths under their docs names, timings masked.</summary>
    private static string Normalise(string text, IReadOnlyList<(string Path, string DocName)> substituted)
    {
        foreach (var (path, docName) in substituted.OrderByDescending(s => s.Path.Length))
        {
            text = text.Replace(path, docName, StringComparison.Ordinal);
        }

        return string.Join('\n', text.ReplaceLineEndings("\n").Split('\n').Select(l => MaskTimings(l.TrimEnd())));
    }

    /// <summary>How long a run took and how fast it wrote differ from run to run.</summary>
    private static string MaskTimings(string line) => Timings().Replace(line, " in # s, # MB/s");

    /// <summary>Runs the same neuro-align as a child process in <paramref name="folder"/>, for a line that writes where it runs.</summary>
    private static (int Code, string Out, string Error) RunInFolder(string folder, string[] arguments)
    {
        IReadOnlyList<string> self = SelfCommand.Resolve();
        var start = new ProcessStartInfo(self[0]) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in self.Skip(1).Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"neuro-align {string.Join(' ', arguments)} did not finish in 2 minutes");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    [GeneratedRegex(@" in [0-9.]+ s, [0-9.]+ MB/s")]
    private static partial Regex Timings();
}
