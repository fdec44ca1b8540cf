using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Cli.Inputs;
using NeuroAlign.Streams;
using NeuroAlign.Sync;

namespace NeuroAlign.Cli.Commands;

/// <summary>
/// `neuro-align sync …`: opens the session as an export would, fits every clock, and prints each
/// stream's map to the reference and its quality, without exporting anything (issue 7, item 6).
/// </summary>
internal static class SyncCommand
{
    public static readonly OptionSpec[] Options =
    [
        new("--ephys", "PATH", "ephys recording; repeat for more streams: the first is the reference", Repeatable: true),
        new("--video", "PATH", "behaviour video"),
        new("--fmri", "PATH", "fMRI run: NIfTI with BIDS sidecar"),
        .. EphysInput.Options,
        .. VideoInput.Options,
        .. FmriInput.Options,
        .. SyncInput.Options,
    ];

    public static int Run(ParsedArgs args, CliContext context)
    {
        if (args.Positionals.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positionals[0]}'; inputs are given with --ephys, --video, --fmri");
        }

        if (!SessionInputs.HasInput(args))
        {
            throw new UsageException("no input: give --ephys PATH (repeatable), --video PATH and/or --fmri PATH (see --help)");
        }

        SessionInputs.CheckOptions(args);
        FmriInput.CheckOptions(args);
        var opened = new List<ISampleStream>();
        try
        {
            List<SessionStream> session = SessionInputs.Open(args, context, opened, rates: null);
            SessionStream reference = session[0];
            context.Out.WriteLine($"reference: {reference.Name} ({reference.Stream.SourcePath})");
            context.Out.WriteLine($"  own clock: {reference.Stream.Clock.Describe()}; reference = own - {reference.Stream.Clock.StartSeconds:R} s (its first sample is time zero)");
            foreach (SessionStream s in session.Skip(1))
            {
                context.Out.WriteLine($"{s.Name} ({s.Stream.SourcePath})");
                if (s.Fit is not { } fit)
                {
                    context.Out.WriteLine($"  not synchronised: {s.Placement}");
                    continue;
                }

                context.Out.WriteLine($"  {fit.Describe()}");
                if (fit.Source is { } source)
                {
                    context.Out.WriteLine($"  pulses: {source}");
                }

                if (fit.OffsetSearch is { } search)
                {
                    context.Out.WriteLine($"  offset search: {search}");
                }

                context.Out.WriteLine($"  map: {fit.Map.Describe()}");
                double start = fit.Map.ToReference(s.Stream.Clock.StartSeconds), end = fit.Map.ToReference(s.Stream.Clock.EndSeconds);
                context.Out.WriteLine($"  spans reference {start:F6} s to {end:F6} s ({s.Stream.Clock.SampleCount} samples)");
                foreach (string note in fit.Notes)
                {
                    context.Out.WriteLine($"  note: {note}");
                }
            }

            return 0;
        }
        finally
        {
            foreach (ISampleStream s in opened)
            {
                s.Dispose();
            }
        }
    }

    /// <summary>One line per fitted stream, for the export's summary.</summary>
    public static string Summary(string name, ClockFit fit) => $"sync {name}: {fit.Describe()}";
}
