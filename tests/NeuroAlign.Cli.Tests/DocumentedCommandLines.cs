using System.Text;
using System.Text.RegularExpressions;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>One `neuro-align …` command line as the docs show it, with every place it is shown.</summary>
/// <param name="Text">The line as written, without a leading <c>$ </c> or a trailing comment.</param>
/// <param name="Sources">Where it appears: <c>file:line</c>, one per appearance.</param>
/// <param name="DocumentedOutput">The lines a <c>$ </c> block shows after it (what it prints), else empty.</param>
internal sealed record DocumentedLine(string Text, IReadOnlyList<string> Sources, IReadOnlyList<string> DocumentedOutput);

/// <summary>How a documented line is checked.</summary>
internal enum LineKind
{
    /// <summary>Runs to exit 0; any output the docs show must appear.</summary>
    Runs,

    /// <summary>The docs show it failing: exit 1 with exactly the documented error line.</summary>
    FailsAsDocumented,

    /// <summary>`slurm submit`: run with <c>--dry-run</c> (a real submission would start array jobs), to exit 0.</summary>
    SlurmDryRun,

    /// <summary>`slurm status JOB` names a job of the reader's cluster: it must parse (exit 1 with one error line, not 2).</summary>
    ParsesOnly,

    /// <summary>Writes into the folder it runs in (`demo` without --dir): run as a child process in a fresh folder.</summary>
    RunsInFolder,

    /// <summary>Not a command line: a usage synopsis (brackets, ellipses, alternatives, capitalised placeholders) or a command's name.</summary>
    Excluded,
}

/// <summary>
/// Finds every <c>neuro-align …</c> command line in README.md and docs/**/*.md (lines of fenced code
/// blocks, with or without a <c>$ </c> prompt, and inline code spans) and says how each is checked.
/// </summary>
internal static partial class DocumentedCommandLines
{
    /// <summary>
    /// The docs' placeholder inputs and the fixture (in <see cref="DocsSession"/>'s folder) each is
    /// replaced by. Reviewed: every doc name is a file of that kind.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Inputs = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // An ephys recording: SpikeGLX imec .bin + .meta, 20 s (so 32 shards of 0.5 s windows exist).
        ["x.bin"] = DocsSession.Ephys,
        ["FILE"] = DocsSession.Ephys,
        // A behaviour video: an H.264 .mp4.
        ["y.mp4"] = DocsSession.Video,
        ["video.mp4"] = DocsSession.Video,
        // An fMRI run: a NIfTI .nii.gz with its BIDS sidecar.
        ["z.nii.gz"] = DocsSession.Fmri,
        ["run.nii.gz"] = DocsSession.Fmri,
        // A BIDS physiological recording with its sidecar.
        ["run_physio.tsv.gz"] = DocsSession.Physio,
        // A timestamped table: a time column and a position column.
        ["wheel.csv"] = DocsSession.Wheel,
        // A sessions manifest naming x.bin and y.mp4.
        ["study.tsv"] = DocsSession.Manifest,
        // The demo session (`neuro-align demo`), which docs/sync.md's examples run on.
        ["demo_g0_t0.imec0.ap.bin"] = "demo/demo_g0_t0.imec0.ap.bin",
        ["demo_g0_t0.nidq.bin"] = "demo/demo_g0_t0.nidq.bin",
        ["behaviour.avi"] = "demo/behaviour.avi",
        ["aligned.h5"] = "demo/aligned.h5",
        ["OUT.h5"] = "demo/aligned.h5",
    };

    /// <summary>The docs' outputs, put in a fresh folder for each line.</summary>
    public static readonly IReadOnlySet<string> Outputs = new HashSet<string>(StringComparer.Ordinal)
    {
        "all.h5", "strobes.h5", "o.h5", "aligned/", "d", "residuals.png",
    };

    /// <summary>Commands that take no argument: `neuro-align demo` is a command line, `neuro-align merge` only its name.</summary>
    private static readonly HashSet<string> ArgumentFreeCommands = ["demo"];

    public static IReadOnlyList<DocumentedLine> All()
    {
        string root = RepoPaths.Root;
        var files = new List<string> { Path.Combine(root, "README.md") };
        files.AddRange(Directory.GetFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal));

        var found = new List<(string Text, string Source, IReadOnlyList<string> Output)>();
        foreach (string file in files)
        {
            string name = Path.GetRelativePath(root, file).Replace('\\', '/');
            string[] lines = File.ReadAllLines(file);
            bool inFence = false;
            int fenceIndent = 0;
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i].Trim();
                if (line.StartsWith("```", StringComparison.Ordinal))
                {
                    inFence = !inFence;
                    // A block inside a list item is indented as a whole; its own indentation starts after that.
                    fenceIndent = lines[i].Length - lines[i].TrimStart().Length;
                    continue;
                }

                if (inFence)
                {
                    bool prompt = line.StartsWith("$ ", StringComparison.Ordinal);
                    string command = prompt ? line[2..] : line;
                    if (IsCommand(command))
                    {
                        // After a prompt, the lines up to the next prompt or the fence's end are what it prints.
                        var output = new List<string>();
                        for (int j = i + 1; prompt && j < lines.Length && !lines[j].Trim().StartsWith("$ ", StringComparison.Ordinal) && !lines[j].Trim().StartsWith("```", StringComparison.Ordinal); j++)
                        {
                            string shown = lines[j].TrimEnd();
                            output.Add(shown[Math.Min(fenceIndent, shown.Length - shown.TrimStart().Length)..]);
                        }

                        // `neuro-align --help | --version`: each alternative is a command line.
                        Match alternatives = OptionAlternatives().Match(command);
                        if (alternatives.Success)
                        {
                            found.AddRange(alternatives.Groups[1].Value.Split(" | ").Select(option => ($"neuro-align {option}", $"{name}:{i + 1}", (IReadOnlyList<string>)[])));
                        }
                        else
                        {
                            found.Add((command, $"{name}:{i + 1}", output));
                        }
                    }
                }
                else
                {
                    foreach (Match span in InlineCode().Matches(lines[i]))
                    {
                        if (IsCommand(span.Groups[2].Value.Trim()))
                        {
                            found.Add((span.Groups[2].Value.Trim(), $"{name}:{i + 1}", []));
                        }
                    }
                }
            }
        }

        // The same line shown twice is run once; its documented output is the union.
        return found
            .GroupBy(f => WithoutComment(f.Text), StringComparer.Ordinal)
            .Select(g => new DocumentedLine(g.Key, g.Select(f => f.Source).ToArray(), g.SelectMany(f => f.Output).ToArray()))
            .ToArray();
    }

    /// <summary>A command line begins with the tool's name and a space (not <c>neuro-align:</c>, its messages, nor <c>neuro-align.dll</c>).</summary>
    private static bool IsCommand(string text) => text.StartsWith("neuro-align ", StringComparison.Ordinal);

    public static LineKind Classify(DocumentedLine line)
    {
        string text = line.Text;
        if (text.Contains('[', StringComparison.Ordinal) || text.Contains("...", StringComparison.Ordinal)
            || text.Contains('…', StringComparison.Ordinal) || text.Contains(" | ", StringComparison.Ordinal))
        {
            return LineKind.Excluded;
        }

        if (HasDescriptionColumn(text))
        {
            return LineKind.Excluded;
        }

        IReadOnlyList<string> words = Tokenize(text);
        if (words.Skip(1).Any(w => Placeholder().IsMatch(w) && !Inputs.ContainsKey(w)))
        {
            return LineKind.Excluded;
        }

        if (words.Count == 2 && !words[1].StartsWith('-'))
        {
            return ArgumentFreeCommands.Contains(words[1]) ? LineKind.RunsInFolder : LineKind.Excluded;
        }

        if (words.Count > 2 && words[1] == "slurm")
        {
            return words[2] == "submit" ? LineKind.SlurmDryRun : LineKind.ParsesOnly;
        }

        return line.DocumentedOutput.Any(o => o.StartsWith("neuro-align: error:", StringComparison.Ordinal))
            ? LineKind.FailsAsDocumented
            : LineKind.Runs;
    }

    /// <summary>
    /// The arguments to run: the placeholders of <see cref="Inputs"/> and <see cref="Outputs"/>
    /// replaced by fixtures and by paths in <paramref name="workFolder"/>; for a dry run, <c>--dry-run</c>
    /// after <c>submit</c>. A word that looks like a path and is in neither table fails the test, so a
    /// new docs example cannot run against a file that happens to exist.
    /// </summary>
    public static (string[] Arguments, IReadOnlyList<(string Path, string DocName)> Substituted) Arguments(
        DocumentedLine line, LineKind kind, string sessionFolder, string workFolder)
    {
        var arguments = new List<string>();
        var substituted = new List<(string, string)>();
        foreach (string word in Tokenize(line.Text).Skip(1))
        {
            if (Inputs.TryGetValue(word, out string? fixture))
            {
                string path = Path.Combine(sessionFolder, fixture);
                arguments.Add(path);
                substituted.Add((path, word));
            }
            else if (Outputs.Contains(word))
            {
                string path = Path.Combine(workFolder, word);
                arguments.Add(path);
                substituted.Add((path.TrimEnd('/'), word.TrimEnd('/')));
            }
            else
            {
                Assert.False(PathLike().IsMatch(word), $"{string.Join(", ", line.Sources)}: '{word}' looks like a path the placeholder table does not map; add it to DocumentedCommandLines.Inputs or Outputs");
                arguments.Add(word);
            }

            if (kind == LineKind.SlurmDryRun && word == "submit" && arguments.Count == 2)
            {
                arguments.Add("--dry-run");
            }
        }

        return (arguments.ToArray(), substituted);
    }

    /// <summary>Splits a line as a POSIX shell does for the quoting the docs use: '…', "…" and an unquoted # comment.</summary>
    public static IReadOnlyList<string> Tokenize(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        bool inWord = false;
        char quote = '\0';
        foreach (char c in text)
        {
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else if (c == '#' && !inWord)
            {
                break;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }

        Assert.True(quote == '\0', $"unbalanced quote in documented line: {text}");
        if (inWord)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    /// <summary>A usage line: the command, two or more spaces, then what it does (not a # comment).</summary>
    private static bool HasDescriptionColumn(string text)
    {
        char quote = '\0';
        for (int i = 0; i + 2 < text.Length; i++)
        {
            char c = text[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == ' ' && text[i + 1] == ' ')
            {
                string rest = text[i..].TrimStart();
                return rest.Length > 0 && rest[0] != '#';
            }
        }

        return false;
    }

    private static string WithoutComment(string text)
    {
        // Cut at the first unquoted " #", keeping the command as written.
        char quote = '\0';
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (quote != '\0')
            {
                quote = c == quote ? '\0' : quote;
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '#' && i > 0 && char.IsWhiteSpace(text[i - 1]))
            {
                return text[..i].TrimEnd();
            }
        }

        return text.TrimEnd();
    }

    [GeneratedRegex("^neuro-align (--[a-z-]+(?: \\| --[a-z-]+)+)$")]
    private static partial Regex OptionAlternatives();

    [GeneratedRegex("(`+)(.+?)\\1")]
    private static partial Regex InlineCode();

    /// <summary>A capitalised placeholder such as FILE, RULE, JOB, EXPORT-OPTIONS.</summary>
    [GeneratedRegex("^[A-Z][A-Z0-9_-]+$")]
    private static partial Regex Placeholder();

    /// <summary>A file or folder name: a word with a dotted extension or a trailing slash (not a number, not a rule with spaces).</summary>
    [GeneratedRegex(@"^[\w./-]*[A-Za-z_][\w-]*(\.[A-Za-z][\w.]*|/)$")]
    private static partial Regex PathLike();
}
