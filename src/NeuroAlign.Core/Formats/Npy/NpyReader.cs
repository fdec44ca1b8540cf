using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Formats.Npy;

/// <summary>
/// A .npy array (format versions 1–3, C order, either byte order) memory-mapped as an ephys recording
/// of shape [samples, channels] (a vector is one channel). The array carries no rate: it comes from
/// the options (--ephys-rate), as do the gain and the start time.
/// </summary>
public static class NpyReader
{
    public const string FormatName = "npy";

    /// <param name="path">The .npy file.</param>
    /// <param name="options">Rate, gain and start time; the channel count, dtype and header size come from the file.</param>
    public static EphysRecording Open(string path, RawBinaryOptions options)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(options);
        if (!ReaderLimits.IsSaneRate(options.SampleRateHz))
        {
            throw new NeuroAlignException(
                $"{path}: {Sessions.Setting.Display("ephys-rate")} {ReaderLimits.Number(options.SampleRateHz)}: expected a rate from {ReaderLimits.Number(ReaderLimits.MinRateHz)} Hz to {ReaderLimits.Number(ReaderLimits.MaxRateHz)} Hz");
        }

        if (!(options.GainToMicrovolts > 0) || !double.IsFinite(options.GainToMicrovolts))
        {
            throw new NeuroAlignException($"{path}: {Sessions.Setting.Display("ephys-gain-uv")} {options.GainToMicrovolts}: expected a positive, finite factor");
        }

        NpyHeader header = NpyHeader.Read(path);
        IReadOnlyList<long> shape = header.Shape;
        if (shape.Count is not (1 or 2))
        {
            throw new InvalidRecordingException(
                path, "header 'shape'", $"({string.Join(", ", shape)}), {shape.Count} dimensions", "[samples] or [samples, channels]");
        }

        long channels = shape.Count == 2 ? shape[1] : 1;
        // A shape of (0, 2^31 - 1) holds no data, so the size check passes: the channel count is
        // bounded here, before a gain per channel is allocated.
        if (channels is < 1 or > ReaderLimits.MaxChannels)
        {
            throw new InvalidRecordingException(path, "header 'shape'", $"({string.Join(", ", shape)})", $"1 to {ReaderLimits.MaxChannels} channels");
        }

        var warnings = new List<string>();
        if (shape.Count == 2 && shape[1] > shape[0])
        {
            warnings.Add($"the array has more channels ({shape[1]}) than samples ({shape[0]}): is it [channels, samples]? It is read as [samples, channels]; save its transpose with numpy.ascontiguousarray(a.T)");
        }

        var layout = new InterleavedLayout(path, header.DataOffsetBytes, (int)channels, header.ElementType, header.BigEndian, header.DataLengthBytes);
        InterleavedBinaryStream data = InterleavedBinaryStream.Open(
            layout,
            samples => new RegularClock(options.StartSeconds, options.SampleRateHz, samples),
            channelIds: null,
            gainsToMicrovolts: Enumerable.Repeat(options.GainToMicrovolts, (int)channels).ToArray(),
            FormatName);

        string byteOrder = header.ElementType.SizeOf() == 1 ? "" : header.BigEndian ? ", big-endian" : ", little-endian";
        KeyValuePair<string, string>[] details =
        [
            new("array", $"NPY {header.MajorVersion}.{header.MinorVersion}, shape ({string.Join(", ", shape)}), dtype '{header.Descr}' ({header.ElementType.ToText()}{byteOrder}), data at byte {header.DataOffsetBytes}"),
            new("sample rate", $"{options.SampleRateHz:R} Hz (from {Sessions.Setting.Display("ephys-rate")}: a .npy carries no rate)"),
        ];
        return new EphysRecording(data, channelNames: null, details, digitalLines: [], warnings);
    }
}
