using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Sessions;
using NeuroAlign.Sync;

namespace NeuroAlign.Cli.Commands;

/// <summary>
/// `neuro-align sync …`: opens the session as an export would, fits every clock, and prints each
/// stream's map to the reference and its quality, without exporting anything (issue 7, item 6).
/// </summary>
internal static class SyncCommand
{

    public static int Run(ParsedArgs args, CliContext context)
    {
        if (args.Positionals.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positionals[0]}'; inputs are given with {string.Join(", ", SettingOptions.Modalities.Modalities.Select(m => SettingOptions.Flag(m.Name)))}");
        }

        SettingValues settings = args.Values;
        IReadOnlyList<StreamRequest> requests = SettingOptions.Modalities.Requests(settings);
        if (requests.Count == 0)
        {
            throw new UsageException($"no input: give {string.Join(", ", SettingOptions.Modalities.PathSettings.Select(s => $"{s} PATH"))} (see --help)");
        }

        Session.CheckSettings(requests, settings, SettingOptions.Session);
        using Session session = Session.Open(requests, settings, new ExportCommand.ContextLog(context));
        SessionStream reference = session.Reference;
        context.Out.WriteLine($"reference: {reference.Name} ({reference.Stream.SourcePath})");
        context.Out.WriteLine($"  own clock: {reference.Stream.Clock.Describe()}; reference = own - {reference.Stream.Clock.StartSeconds:R} s (its first sample is time zero)");
        foreach (SessionStream s in session.Streams.Skip(1))
        {
            context.Out.WriteLine($"{s.Name} ({s.Stream.SourcePath})");
            if (s.Fit is not { } fit)
            {
                context.Out.WriteLine(s.Opened.ClockOf is null ? $"  not synchronised: {s.Placement}" : $"  {s.Placement}");
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

    /// <summary>One line per fitted stream, for the export's summary.</summary>
    public static string Summary(string name, ClockFit fit) => $"sync {name}: {fit.Describe()}";
}
