using System.Reflection;
using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Cli.Commands;
using NeuroAlign.Cli.ScaleOut;
using NeuroAlign.Filtering;
using NeuroAlign.Sessions;

namespace NeuroAlign.Cli;

/// <summary>The `neuro-align` command.</summary>
internal static class Program
{
    public static string Version { get; } =
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    public static int Main(string[] args)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            // First Ctrl-C: stop after the current window and remove the partial output.
            e.Cancel = true;
            cancellation.Cancel();
        };
        var context = new CliContext(
            Console.Out,
            Console.Error,
            !Console.IsErrorRedirected,
            "neuro-align " + string.Join(' ', args.Select(BashQuoting.Quote)),
            cancellation.Token);
        return Run(args, context);
    }

    /// <summary>Runs a command line; every failure becomes one line on stderr and a non-zero exit.</summary>
    public static int Run(IReadOnlyList<string> args, CliContext context)
    {
        // Core names settings in its messages; here they are the flags the user typed.
        Setting.Display = SettingOptions.Flag;
        try
        {
            return Dispatch(args, context);
        }
        catch (FilterSyntaxException e)
        {
            // Its lines under the error (the rule, a caret) are built with control characters shown as spaces.
            context.Error.WriteLine($"neuro-align: error: {e.Message}");
            return 2;
        }
        catch (Exception e) when (e is UsageException or SettingException)
        {
            // Messages quote what was typed ('a\rb'): escaped here, once for every message (escaping is idempotent).
            context.Error.WriteLine($"neuro-align: error: {Printable.Escape(e.Message)}");
            return 2;
        }
        catch (NeuroAlignException e)
        {
            context.Error.WriteLine($"neuro-align: error: {Printable.Escape(e.Message)}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            context.Error.WriteLine("neuro-align: interrupted; no output was written");
            return 130;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"neuro-align: error: {e.Message}");
            return 1;
        }
#pragma warning disable CA1031 // The last resort: any other failure is a bug, still one line and a non-zero exit, never a stack trace.
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            // Outputs were already removed by the sinks' Dispose on the way here.
            string detail = Environment.GetEnvironmentVariable("NEUROALIGN_DEBUG") == "1"
                ? e.ToString()
                : $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")} (a bug: please report it with the command line; NEUROALIGN_DEBUG=1 shows where)";
            context.Error.WriteLine($"neuro-align: internal error: {detail}");
            return 70;
        }
    }

    /// <summary>Every command: the first is the default (options first: the original tool's export).</summary>
    public static readonly IReadOnlyList<CliCommand> Commands =
    [
        new("export", "[export] [--ephys FILE]... [--video FILE]... [--fmri FILE]... --time SECONDS [options]", "export aligned windows to HDF5", ExportCommand.Settings, ExportCommand.Run),
        new("info", "info FILE... [options]", "describe recordings: ephys, video, NIfTI .nii/.nii.gz, BIDS _physio.tsv.gz (with --filter: the fraction a rule keeps)", InfoCommand.AllSettings, InfoCommand.Run),
        new("sync", "sync [--ephys FILE]... [--video FILE]... [--fmri FILE]... [clock options] [--plot FILE.png] [--report]", "fit each stream's clock to the reference and print the figures (writes only the plot or report asked for)", SyncCommand.Settings, SyncCommand.Run),
        new("report", "report OUT.h5 [--html FILE]", "the QC report of an export: one self-contained HTML page with the timeline, sync plots and a few windows", ReportCommand.Settings, ReportCommand.Run),
        new("demo", "demo [--dir DIR]", "write a sample session, align it, say what was written", [DemoCommand.Folder], DemoCommand.Run),
        new("merge", "merge OUT SHARD... [options]", "join the shard files of one export (export --shard i/n) into one, compressed as the shards were unless --compression or --level is given", MergeCommand.Settings, MergeCommand.Run),
        new("batch", "batch MANIFEST --out-dir DIR [options]", "one export per session of a study (a TSV manifest); every export option applies to each", BatchCommand.Settings, BatchCommand.Run),
        new("slurm submit", "slurm submit [options] (export ... --shards N --out FILE | batch MANIFEST --out-dir DIR ...)", "one Slurm array task per shard or session", SlurmCommand.SubmitSettings, null),
        new("slurm status", "slurm status JOB [--dir DIR]", "pending, running, done and failed tasks of a submitted job", SlurmCommand.StatusSettings, null),
    ];

    private static int Dispatch(IReadOnlyList<string> args, CliContext context)
    {
        if (args.Count == 0 || args[0] is "--help" or "-h" or "help")
        {
            context.Out.WriteLine(Usage());
            return args.Count == 0 ? 2 : 0;
        }

        if (args[0] is "--version" or "version")
        {
            context.Out.WriteLine($"neuro-align {Version}");
            return 0;
        }

        // Shell completion (scripts/neuro-align-completion.bash): [suggest:POSITION] "LINE".
        if (args[0].StartsWith("[suggest", StringComparison.Ordinal))
        {
            string line = args.Count > 1 ? args[1] : string.Empty;
            int position = args[0].Length > 9 && int.TryParse(args[0][9..^1], System.Globalization.CultureInfo.InvariantCulture, out int p) ? p : line.Length;
            foreach (string completion in CommandTree.Completions(Commands, line, position))
            {
                context.Out.WriteLine(completion);
            }

            return 0;
        }

        // Options or a response file (@args.txt, one token per line) first: the original tool's export.
        bool implicitExport = args[0].StartsWith("--", StringComparison.Ordinal) || args[0].StartsWith('@');
        string word = implicitExport ? "export" : args[0];
        CliCommand command = Commands.FirstOrDefault(c => c.Name.Split(' ')[0] == word)
            ?? throw new UsageException($"unknown command '{word}': expected {string.Join(", ", Commands.Select(c => c.Name.Split(' ')[0]).Distinct())} (see --help)");
        IReadOnlyList<string> rest = implicitExport ? args : args.Skip(1).ToArray();
        if (word == "slurm" && rest.Count > 0 && Commands.FirstOrDefault(c => c.Name == $"slurm {rest[0]}") is { } sub)
        {
            command = sub;
        }

        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            context.Out.WriteLine(word == "slurm" && command.Name == "slurm submit" && !rest.Contains("submit") ? Usage() : Help(command));
            return 0;
        }

        return command.Run is { } run ? run(ParsedArgs.Parse(rest, command.Settings), context) : SlurmCommand.Run(rest, context);
    }

    /// <summary>One command's help: its synopsis, what it does, and every option with its value and default.</summary>
    private static string Help(CliCommand command) => $"""
        Usage: neuro-align {command.Synopsis}
          {command.Summary}

        Options:
        {HelpText.Options(command.Settings)}

        Docs: README.md; docs/output-format.md; docs/sync.md; docs/filter.md; docs/scale-out.md.
        """;

    private static string Usage() => $"""
        neuro-align {Version}: put ephys, video and fMRI recordings on one timeline and export aligned windows to HDF5.

        Usage:
        {string.Join(Environment.NewLine, Commands.Select(c => $"  neuro-align {c.Synopsis}{Environment.NewLine}      {c.Summary}"))}
          neuro-align COMMAND --help                          that command's options
          neuro-align --help | --version

        Export options (neuro-align export --help lists them alone):
        {HelpText.Options(ExportCommand.Settings)}

        Times are seconds on the reference clock (the first ephys stream's, else the video's, else the fMRI run's), zero at
        its first sample (for fMRI: the first volume's onset). Streams without a shared clock start together at zero.
        More --ephys streams are tied to the first by their shared sync pulses; --video-sync and --fmri-sync give each
        frame or volume the time of its strobe or trigger; --video-led fits the video's clock to an LED's pulses seen in
        its frames; --offset places a stream by hand (docs/sync.md).
        A window is [time - before, time + after); each modality is sampled on its own fixed grid.
        Filter rules (--filter, e.g. "abs(signal) < 500 uV and t > 2 s"): docs/filter.md.
        Scale-out (shards, merge, manifest, Slurm, --jobs): docs/scale-out.md. Shell completion: scripts/neuro-align-completion.bash.
        Output format: docs/output-format.md. Exit codes: 0 done, 1 bad input or an output that cannot
        be written, 2 bad command line, 130 interrupted, 70 a bug (NEUROALIGN_DEBUG=1 shows where).
        """;
}
