using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Formats;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;
using NeuroAlign.Sync;

namespace NeuroAlign.Cli.Inputs;

/// <summary>Opens ephys recordings from the command line's --ephys options.</summary>
internal static class EphysInput
{
    public static readonly OptionSpec[] Options =
    [
        new("--ephys-channels", "N", "raw files: channels per sample (default 384)"),
        new("--ephys-rate", "HZ", "raw and .npy files: sample rate in Hz (default 30000); SpikeGLX and Open Ephys carry their own"),
        new("--ephys-dtype", "TYPE", "raw files: int16 (default), uint16, int32 or float32"),
        new("--ephys-header-bytes", "BYTES", "raw files: bytes to skip at the start (default 0)"),
        new("--ephys-gain-uv", "FACTOR", "raw and .npy files: microvolts per raw unit, written to /ephys/gain_to_uV (default 1.0)"),
        new("--ephys-stream", "NAME", "Open Ephys: the stream to read, by stream_name or folder (default: the first neural stream); per stream: ephys=ProbeA-AP,ephys_1=NI-DAQ"),
        new("--channels", "IDS", "keep only these channel ids, e.g. 0-63,100 (default: all)"),
    ];

    /// <summary>The metadata-only options: given with a format that carries its own metadata, they would be silently ignored.</summary>
    private static readonly string[] RawOnlyOptions = ["--ephys-channels", "--ephys-dtype", "--ephys-header-bytes"];

    private static readonly string[] RawAndNpyOptions = ["--ephys-rate", "--ephys-gain-uv"];

    /// <summary>Reads the raw-file options; defaults are the original tool's (384 channels, 30 kHz, int16).</summary>
    public static RawBinaryOptions RawOptions(ParsedArgs args) => new(
        ChannelCount: args.GetInt("--ephys-channels", 384, 1),
        SampleRateHz: PositiveRate(args, "--ephys-rate", 30_000),
        ElementType: args.Get("--ephys-dtype") is { } dtype ? ParseDtype(dtype) : SampleType.Int16,
        HeaderBytes: args.GetLong("--ephys-header-bytes", 0, 0),
        GainToMicrovolts: PositiveRate(args, "--ephys-gain-uv", 1.0));

    /// <summary>
    /// Opens one ephys recording, whatever its format (EphysReader detects it from the path), and
    /// applies the channel selection. The stream holds raw counts; see <see cref="Microvolts"/>.
    /// </summary>
    public static ContinuousStream Open(string path, ParsedArgs args) => Open(path, args, "ephys", out _);

    /// <summary>
    /// Opens the ephys recording named <paramref name="modality"/> (ephys, ephys_1…): as
    /// <see cref="Open(string, ParsedArgs)"/>, and hands out the digital lines recorded with it
    /// (they read the whole recording, whatever --channels keeps).
    /// </summary>
    public static ContinuousStream Open(string path, ParsedArgs args, string modality, out IReadOnlyList<DigitalLineSet> digitalLines)
    {
        RequireFile(path, "--ephys");
        EphysFormat format = EphysReader.Detect(path);
        string? streamName = StreamNames(args).Get(modality, null);
        RefuseOptionsTheFormatIgnores(args, path, format, streamName);
        var options = new EphysOpenOptions { Raw = RawOptions(args), StreamName = streamName };
        EphysRecording stream = EphysReader.Open(path, options);
        digitalLines = stream.DigitalLines;
        try
        {
            return args.Get("--channels") is { } channels
                ? stream.SelectChannels(ChannelSelection.Resolve(stream, channels))
                : stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>--units: whether the export writes raw counts (default) or float32 microvolts.</summary>
    public static bool Microvolts(ParsedArgs args) => args.Get("--units") switch
    {
        null or "counts" => false,
        "uV" or "uv" or "µV" => true,
        { } other => throw new UsageException($"option --units: '{other}' is not a unit: expected counts (raw values, the default) or uV (float32 microvolts)"),
    };

    /// <summary>--ephys-stream: one Open Ephys stream name for every --ephys, or one per stream (ephys=…,ephys_1=…).</summary>
    public static PerModality<string?> StreamNames(ParsedArgs args) => PerModality.ParseNames("--ephys-stream", args.Get("--ephys-stream"));

    private static void RefuseOptionsTheFormatIgnores(ParsedArgs args, string path, EphysFormat format, string? streamName)
    {
        // A flag that would be silently ignored is an error: the metadata wins, and the user should know.
        // With several --ephys, a flag is ignored only if no input takes it.
        EphysFormat[] formats =
        [
            format,
            .. args.GetAll("--ephys").Where(p => File.Exists(p) || Directory.Exists(p)).Select(EphysReader.Detect),
        ];
        IEnumerable<string> ignored = formats.Contains(EphysFormat.Raw) ? []
            : formats.Contains(EphysFormat.Npy) ? RawOnlyOptions
            : [.. RawOnlyOptions, .. RawAndNpyOptions];
        if (ignored.FirstOrDefault(args.Has) is { } option)
        {
            throw new UsageException(
                $"option {option} does not apply to {path}: it is {EphysReader.Describe(format)}, whose own metadata gives that");
        }

        if (streamName != null && format != EphysFormat.OpenEphys)
        {
            throw new UsageException($"option --ephys-stream applies to Open Ephys recordings only; {path} is {EphysReader.Describe(format)}");
        }
    }

    public static void RequireFile(string path, string option)
    {
        if (Directory.Exists(path))
        {
            return;
        }

        if (!File.Exists(path))
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            string why = folder != null && !Directory.Exists(folder) ? $"no such folder {folder}" : "no such file";
            throw new NeuroAlignException($"{option} {path}: {why}");
        }
    }

    private static SampleType ParseDtype(string text)
    {
        try
        {
            return SampleTypes.Parse(text, RawBinaryOptions.SupportedTypes);
        }
        catch (NeuroAlignException e)
        {
            throw new UsageException($"option --ephys-dtype: {e.Message}");
        }
    }

    private static double PositiveRate(ParsedArgs args, string name, double defaultValue)
    {
        double value = args.GetDouble(name, defaultValue);
        return value > 0 ? value : throw new UsageException($"option {name}: {value} is not positive");
    }
}
