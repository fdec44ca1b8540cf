using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Cli.Demo;

namespace NeuroAlign.Cli.Commands;

/// <summary>`neuro-align demo`: writes the built-in sample session, aligns it and says what it wrote.</summary>
internal static class DemoCommand
{
    public static readonly OptionSpec[] Options =
    [
        new("--dir", "DIR", "folder for the sample session and its output (default ./neuroalign-demo)"),
    ];

    public static int Run(ParsedArgs args, CliContext context)
    {
        if (args.Positionals.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positionals[0]}'");
        }

        string folder = Path.GetFullPath(args.Get("--dir") ?? "neuroalign-demo");
        string? parent = Path.GetDirectoryName(folder);
        if (parent != null && !Directory.Exists(parent))
        {
            throw new NeuroAlignException($"--dir {folder}: no such folder {parent}");
        }

        Directory.CreateDirectory(folder);
        context.Out.WriteLine($"writing the sample session to {folder}");
        string ephys = DemoSession.WriteEphys(folder);
        context.Out.WriteLine(
            $"  {DemoSession.EphysFile}: {DemoSession.EphysSeconds:G} s of {DemoSession.EphysChannels}-channel int16 at {DemoSession.EphysRateHz:G} Hz; raw value = channel × 64 + (sample mod 64)");

        string output = Path.Combine(folder, "aligned.h5");
        string[] exportArgs = ["--ephys", ephys, "--time", "2.5", "--after", "1", "--out", output];
        context.Out.WriteLine($"running: neuro-align {string.Join(' ', exportArgs.Select(Program.Quote))}");
        int code = Program.Run(exportArgs, context with { CommandLine = "neuro-align " + string.Join(' ', exportArgs.Select(Program.Quote)) });
        if (code != 0)
        {
            return code;
        }

        context.Out.WriteLine("check it (h5py):");
        context.Out.WriteLine($"  /usr/bin/python3 -c \"import h5py; f = h5py.File('{output}'); d = f['ephys/data']; print(d.shape, f['ephys/source_index'][0, 0], d[0, 0, 5] // 64, d[0, 0, 5] % 64)\"");
        context.Out.WriteLine($"  expected: (1, 30000, 384) 75000 5 {75000 % 64}  (window at 2.5 s starts at sample 75000; channel 5)");
        return 0;
    }
}
