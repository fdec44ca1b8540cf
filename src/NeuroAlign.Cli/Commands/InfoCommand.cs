using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Cli.Inputs;
using NeuroAlign.Streams;

namespace NeuroAlign.Cli.Commands;

/// <summary>`neuro-align info FILE...`: what each recording holds and how its clock runs.</summary>
internal static class InfoCommand
{
    public static readonly OptionSpec[] Options = [.. EphysInput.Options, .. VideoInput.Options, .. FmriInput.Options];

    public static int Run(ParsedArgs args, CliContext context)
    {
        if (args.Positionals.Count == 0)
        {
            throw new UsageException("info needs at least one FILE");
        }

        foreach (string path in args.Positionals)
        {
            EphysInput.RequireFile(path, "info");
            using ISampleStream stream = FmriInput.IsNifti(path) ? FmriInput.Open(path, args, context)
                : FmriInput.IsPhysio(path) ? FmriInput.OpenPhysio(path, args)
                : VideoInput.LooksLikeVideo(path) ? VideoInput.Open(path, args, "info")
                : EphysInput.Open(path, args);
            Describe(stream, context.Out);
        }

        return 0;
    }

    public static void Describe(ISampleStream stream, TextWriter output)
    {
        var clock = stream.Clock;
        double duration = clock.SampleCount == 0 ? 0 : clock.EndSeconds - clock.StartSeconds;
        var rows = new List<KeyValuePair<string, string>>
        {
            new("format", stream.FormatName),
            new("samples", clock.SampleCount.ToString()),
            new("sample shape", string.Join(" × ", stream.SampleShape)),
            new("dtype", stream.ElementType.ToText()),
            new("rate", $"{clock.MeanRateHz:R} Hz"),
            new("duration", $"{duration:F6} s"),
            new("t0", $"{clock.StartSeconds:R} s (own clock)"),
            new("clock", clock.Describe()),
        };
        rows.AddRange(stream.Details);
        output.WriteLine(stream.SourcePath);
        int width = rows.Max(r => r.Key.Length) + 1;
        foreach (var (key, value) in rows)
        {
            output.WriteLine($"  {(key + ":").PadRight(width + 1)}{value}");
        }
    }
}
