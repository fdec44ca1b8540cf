using NeuroAlign.Cli.CommandLine;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;

namespace NeuroAlign.Cli.Inputs;

/// <summary>Opens ephys recordings from the command line's --ephys options.</summary>
internal static class EphysInput
{
    public static readonly OptionSpec[] Options =
    [
        new("--ephys-channels", "N", "raw files: channels per sample (default 384)"),
        new("--ephys-rate", "HZ", "raw files: sample rate in Hz (default 30000)"),
        new("--ephys-dtype", "TYPE", "raw files: int16 (default), uint16, int32 or float32"),
        new("--ephys-header-bytes", "BYTES", "raw files: bytes to skip at the start (default 0)"),
        new("--ephys-gain-uv", "FACTOR", "raw files: microvolts per raw unit, written to /ephys/gain_to_uV (default 1.0)"),
        new("--channels", "IDS", "keep only these channel ids, e.g. 0-63,100 (default: all)"),
    ];

    /// <summary>Reads the raw-file options; defaults are the original tool's (384 channels, 30 kHz, int16).</summary>
    public static RawBinaryOptions RawOptions(ParsedArgs args) => new(
        ChannelCount: args.GetInt("--ephys-channels", 384, 1),
        SampleRateHz: PositiveRate(args, "--ephys-rate", 30_000),
        ElementType: args.Get("--ephys-dtype") is { } dtype ? ParseDtype(dtype) : SampleType.Int16,
        HeaderBytes: args.GetLong("--ephys-header-bytes", 0, 0),
        GainToMicrovolts: PositiveRate(args, "--ephys-gain-uv", 1.0));

    /// <summary>Opens one ephys recording and applies the channel selection.</summary>
    public static ContinuousStream Open(string path, ParsedArgs args)
    {
        RequireFile(path, "--ephys");
        ContinuousStream stream = RawBinaryReader.Open(path, RawOptions(args));
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
