using System.Globalization;
using NeuroAlign.Alignment;
using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Cli.Inputs;
using NeuroAlign.Hdf5;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Cli.Commands;

/// <summary>
/// The main job: open each recording, put it on the reference clock, sample the windows and write
/// them to HDF5 (the original tool's command line, extended).
/// </summary>
internal static class ExportCommand
{
    public const string DefaultOutput = "neuro_sync_output.h5";

    public static readonly OptionSpec[] Options =
    [
        new("--ephys", "PATH", "ephys recording: raw .dat/.bin (see --ephys-*)"),
        new("--video", "PATH", "behaviour video (any format ffmpeg reads)"),
        new("--fmri", "PATH", "fMRI run: NIfTI .nii/.nii.gz with BIDS sidecar"),
        new("--time", "SECONDS", "window time on the reference clock (seconds after the reference recording starts)"),
        new("--before", "SECONDS", "window starts this long before --time (default 0)"),
        new("--after", "SECONDS", "window ends this long after --time (default 1)"),
        new("--mode", "MODE", "how grid times pick samples: previous (default), nearest or linear"),
        new("--filter", "RULE", "keep-or-drop rule, e.g. \"signal > 0.8\" (repeatable, combined with AND)", Repeatable: true),
        new("--out", "PATH", $"output HDF5 file (default {DefaultOutput})"),
        .. EphysInput.Options,
    ];

    public static int Run(ParsedArgs args, CliContext context)
    {
        if (args.Positionals.Count > 0)
        {
            throw new UsageException($"unexpected argument '{args.Positionals[0]}'; inputs are given with --ephys, --video, --fmri");
        }

        // Everything the command line can get wrong is checked before any file is opened.
        RefuseUnbuilt(args, "--video", "behaviour video");
        RefuseUnbuilt(args, "--fmri", "fMRI");
        RefuseUnbuilt(args, "--filter", "filter rules");
        if (args.Get("--ephys") is not { } ephysPath)
        {
            throw new UsageException("no input: give --ephys PATH (see --help)");
        }

        if (args.Get("--time") is not { } timeText)
        {
            throw new UsageException("no window time: give --time SECONDS");
        }

        double time = ParsedArgs.ParseSeconds("--time", timeText);
        double before = args.GetDouble("--before", 0, allowNegative: false);
        double after = args.GetDouble("--after", 1, allowNegative: false);
        if (before + after <= 0)
        {
            throw new UsageException("--before and --after are both 0: the window is empty");
        }

        IndexMode mode = args.Get("--mode") is { } modeText ? ParseMode(modeText) : IndexMode.Previous;
        string output = args.Get("--out") ?? DefaultOutput;
        Hdf5Sink.CheckOutputPath(output);
        RefuseOverwritingInput(output, ephysPath);
        RawOptionsCheck(args);

        using ContinuousStream ephys = EphysInput.Open(ephysPath, args);
        if (ephys.SampleCount == 0)
        {
            throw new NeuroAlignException($"{ephysPath}: the recording holds no samples");
        }

        // The reference clock's zero is the reference stream's first sample (ARCHITECTURE.md).
        ClockMap referenceMap = ClockMap.Offset(-ephys.Clock.StartSeconds);
        var grid = new SamplingGrid(before, after, ephys.SampleRateHz);
        var streams = new List<AlignedStream>
        {
            new(
                "ephys",
                ephys,
                referenceMap,
                grid,
                mode,
                ModalityAttributes(ephys, referenceMap, grid, mode),
                new Dictionary<string, Array>
                {
                    ["gain_to_uV"] = ephys.GainsToMicrovolts.ToArray(),
                    ["channel_ids"] = ephys.ChannelIds.ToArray(),
                }),
        };

        var root = new Dictionary<string, object>
        {
            ["schema_version"] = 1L,
            ["neuroalign_version"] = Program.Version,
            ["created_utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["command_line"] = context.CommandLine,
            ["reference_stream"] = $"ephys ({Path.GetFileName(ephys.SourcePath)})",
            ["before_s"] = before,
            ["after_s"] = after,
        };

        double[] times = [time];
        var progress = new ProgressReporter(context.Error, context.IsTerminal);
        AlignmentSummary summary;
        try
        {
            using var sink = new Hdf5Sink(output);
            summary = Aligner.Run(streams, times, sink, root, progress, context.Cancellation);
        }
        finally
        {
            progress.Finish();
        }

        Report(summary, streams, output, context);
        return 0;
    }

    /// <summary>Attributes of a modality's group: where the samples came from and how they were chosen.</summary>
    public static Dictionary<string, object> ModalityAttributes(ISampleStream stream, ClockMap map, SamplingGrid grid, IndexMode mode) => new()
    {
        ["source_path"] = Path.GetFullPath(stream.SourcePath),
        ["format"] = stream.FormatName,
        ["native_rate_hz"] = stream.Clock.MeanRateHz,
        ["output_rate_hz"] = grid.OutputRateHz,
        ["interpolation"] = mode.ToText(),
        ["clock"] = stream.Clock.Describe(),
        ["clock_map"] = map.Describe(),
    };

    private static void Report(AlignmentSummary summary, IReadOnlyList<AlignedStream> streams, string output, CliContext context)
    {
        context.Out.WriteLine(
            $"wrote {output}: {summary.WindowCount} window(s), {summary.BytesWritten / 1e6:F1} MB of aligned data in {summary.Elapsed.TotalSeconds:F2} s");
        for (int m = 0; m < streams.Count; m++)
        {
            AlignedStream s = streams[m];
            ModalitySummary ms = summary.Modalities[m];
            string shape = string.Join(" × ", s.Stream.SampleShape);
            context.Out.WriteLine(
                $"  {s.Name}: {ms.PointsPerWindow} samples per window at {s.Grid.OutputRateHz:G} Hz, each {shape} {s.OutputElementType.ToText()} ({s.Stream.FormatName}: {s.Stream.SourcePath})");
            if (ms.SamplesOutside > 0)
            {
                long total = (long)ms.PointsPerWindow * summary.WindowCount;
                context.Warn(
                    $"{s.Name}: {ms.SamplesOutside} of {total} samples fell outside the recording ({s.Timeline.StartReferenceSeconds:G6} s to {s.Timeline.EndReferenceSeconds:G6} s on the reference clock); their source_index is -1 and their data zero");
            }
        }
    }

    private static IndexMode ParseMode(string text)
    {
        try
        {
            return IndexModes.Parse(text);
        }
        catch (NeuroAlignException e)
        {
            throw new UsageException($"option --mode: {e.Message}");
        }
    }

    /// <summary>Nothing the user had is ever lost: the output may not replace an input.</summary>
    private static void RefuseOverwritingInput(string output, params string[] inputs)
    {
        string full = Path.GetFullPath(output);
        foreach (string input in inputs)
        {
            if (string.Equals(Path.GetFullPath(input), full, StringComparison.Ordinal))
            {
                throw new UsageException($"--out {output} is also an input; choose another output file");
            }
        }
    }

    private static void RawOptionsCheck(ParsedArgs args) => _ = EphysInput.RawOptions(args);

    private static void RefuseUnbuilt(ParsedArgs args, string option, string what)
    {
        if (args.Has(option))
        {
            throw new UsageException($"option {option}: {what} support is not built yet in this version; it cannot be used");
        }
    }
}
