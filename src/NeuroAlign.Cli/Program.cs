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
        catch (IOException e)
        {
            context.Error.WriteLine($"neuro-align: error: {e.Message}");
            return 1;
        }
        catch (UnauthorizedAccessException e)
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

        // Options or a response file (@args.txt, one token per line) first: the original tool's export.
        string command = args[0].StartsWith("--", StringComparison.Ordinal) || args[0].StartsWith('@') ? "export" : args[0];
        IReadOnlyList<string> rest = command == "export" && args[0] != "export" ? args : args.Skip(1).ToArray();
        if (rest.Contains("--help") || rest.Contains("-h"))
        {
            context.Out.WriteLine(Usage());
            return 0;
        }

        return command switch
        {
            "export" => ExportCommand.Run(ParsedArgs.Parse(rest, ExportCommand.Options), context),
            "info" => InfoCommand.Run(ParsedArgs.Parse(rest, InfoCommand.Options), context),
            "sync" => SyncCommand.Run(ParsedArgs.Parse(rest, SyncCommand.Options), context),
            "demo" => DemoCommand.Run(ParsedArgs.Parse(rest, DemoCommand.Options), context),
            "merge" => MergeCommand.Run(ParsedArgs.Parse(rest, MergeCommand.Options), context),
            "batch" => BatchCommand.Run(ParsedArgs.Parse(rest, BatchCommand.Options), context),
            "slurm" => SlurmCommand.Run(rest, context),
            _ => throw new UsageException($"unknown command '{command}': expected export, info, sync, demo, merge, batch or slurm (see --help)"),
        };
    }

    private static string Usage() => $"""
        neuro-align {Version}: put ephys, video and fMRI recordings on one timeline and export aligned windows to HDF5.

        Usage:
          neuro-align [--ephys FILE] [--video FILE] [--fmri FILE] --time SECONDS [options]
                                                              export aligned windows (same as `neuro-align export ...`)
          neuro-align info FILE... [options]                  describe recordings (ephys, video, NIfTI .nii/.nii.gz, BIDS _physio.tsv.gz)
          neuro-align info --filter RULE FILE...              also scan each recording and report the fraction RULE keeps
          neuro-align sync [--ephys FILE]... [--video FILE] [--fmri FILE] [clock options]
                                                              fit each stream's clock to the reference and print the figures (writes nothing)
          neuro-align demo [--dir DIR]                        write a sample session, align it, say what was written
          neuro-align merge OUT SHARD...                      join the shard files of one export (export --shard i/n) into one
          neuro-align batch MANIFEST --out-dir DIR [options]  one export per session of a study (a TSV manifest)
          neuro-align slurm submit [SLURM OPTIONS] export ... --shards N --out FILE
          neuro-align slurm submit [SLURM OPTIONS] batch MANIFEST --out-dir DIR [options]
                                                              one Slurm array task per shard or session
          neuro-align slurm status JOB                        pending, running, done and failed tasks of a submitted job
          neuro-align --help | --version

        Export options:
        {HelpText.Options(ExportCommand.Options)}

        Demo options:
        {HelpText.Options(DemoCommand.Options)}

        Merge options:
        {HelpText.Options(MergeCommand.Options)}

        Batch options (besides export options for every session):
        {HelpText.Options(BatchCommand.OwnOptions)}

        Slurm submit options (before the export or batch command):
        {HelpText.Options(SlurmCommand.SubmitOptions)}

        Scale-out (shards, merge, manifest, Slurm, --jobs): docs/scale-out.md.

        Times are seconds on the reference clock (the first ephys stream's, else the video's, else the fMRI run's), zero at
        its first sample (for fMRI: the first volume's onset). Streams without a shared clock start together at zero.
        More --ephys streams are tied to the first by their shared sync pulses; --video-sync and --fmri-sync give each
        frame or volume the time of its strobe or trigger; --video-led fits the video's clock to an LED's pulses seen in
        its frames; --offset places a stream by hand (docs/sync.md).
        A window is [time - before, time + after); each modality is sampled on its own fixed grid.
        Filter rules (--filter, e.g. "abs(signal) < 500 uV and t > 2 s"): docs/filter.md.
        Output format: docs/output-format.md. Exit codes: 0 done, 1 bad input or an output that cannot
        be written, 2 bad command line, 130 interrupted, 70 a bug (NEUROALIGN_DEBUG=1 shows where).
        """;
}
