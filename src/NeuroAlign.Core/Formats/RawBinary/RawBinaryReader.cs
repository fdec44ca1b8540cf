using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Formats.RawBinary;

/// <summary>How to read a flat interleaved binary file, which carries no metadata of its own.</summary>
/// <param name="ChannelCount">Channels per sample (the original tool's default: 384, one Neuropixels probe).</param>
/// <param name="SampleRateHz">Sample rate (default 30 000 Hz).</param>
/// <param name="ElementType">Stored type: int16 (default), uint16, int32 or float32.</param>
/// <param name="HeaderBytes">Bytes to skip at the start of the file.</param>
/// <param name="GainToMicrovolts">One factor from raw values to microvolts for every channel (1.0: unknown).</param>
/// <param name="StartSeconds">Own-clock time of sample 0.</param>
public sealed record RawBinaryOptions(
    int ChannelCount = 384,
    double SampleRateHz = 30_000,
    SampleType ElementType = SampleType.Int16,
    long HeaderBytes = 0,
    double GainToMicrovolts = 1.0,
    double StartSeconds = 0)
{
    /// <summary>The element types a raw file may hold.</summary>
    public static readonly SampleType[] SupportedTypes = [SampleType.Int16, SampleType.UInt16, SampleType.Int32, SampleType.Float32];
}

/// <summary>
/// Raw interleaved binary ephys (.dat, .bin): samples × channels, little-endian, no header unless
/// told. Kilosort's and the original tool's input.
/// </summary>
public static class RawBinaryReader
{
    public const string FormatName = "raw";

    public static InterleavedBinaryStream Open(string path, RawBinaryOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        // Checked before anything is sized from it: 2^31 channels would be a 16 GB array of gains.
        if (options.ChannelCount <= 0 || options.ChannelCount > ReaderLimits.MaxChannels)
        {
            throw new NeuroAlignException($"{path}: {Sessions.Setting.Display("ephys-channels")} {options.ChannelCount}: expected a channel count from 1 to {ReaderLimits.MaxChannels}");
        }

        if (!ReaderLimits.IsSaneRate(options.SampleRateHz))
        {
            throw new NeuroAlignException(
                $"{path}: {Sessions.Setting.Display("ephys-rate")} {ReaderLimits.Number(options.SampleRateHz)}: expected a rate from {ReaderLimits.Number(ReaderLimits.MinRateHz)} Hz to {ReaderLimits.Number(ReaderLimits.MaxRateHz)} Hz");
        }

        if (!double.IsFinite(options.StartSeconds))
        {
            throw new NeuroAlignException($"{path}: start time {ReaderLimits.Number(options.StartSeconds)}: expected a finite number of seconds");
        }

        if (options.HeaderBytes < 0)
        {
            throw new NeuroAlignException($"{path}: {Sessions.Setting.Display("ephys-header-bytes")} {options.HeaderBytes}: expected zero or more bytes");
        }

        if (!RawBinaryOptions.SupportedTypes.Contains(options.ElementType))
        {
            throw new NeuroAlignException(
                $"{path}: dtype {options.ElementType.ToText()}: expected one of {string.Join(", ", RawBinaryOptions.SupportedTypes.Select(t => t.ToText()))}");
        }

        if (!(options.GainToMicrovolts > 0) || !double.IsFinite(options.GainToMicrovolts))
        {
            throw new NeuroAlignException($"{path}: {Sessions.Setting.Display("ephys-gain-uv")} {options.GainToMicrovolts}: expected a positive, finite factor");
        }

        var layout = new InterleavedLayout(path, options.HeaderBytes, options.ChannelCount, options.ElementType);
        return InterleavedBinaryStream.Open(
            layout,
            samples => new RegularClock(options.StartSeconds, options.SampleRateHz, samples),
            channelIds: null,
            gainsToMicrovolts: Enumerable.Repeat(options.GainToMicrovolts, options.ChannelCount).ToArray(),
            FormatName);
    }
}
