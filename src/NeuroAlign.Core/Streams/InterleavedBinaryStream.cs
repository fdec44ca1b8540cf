using System.Buffers.Binary;
using System.Runtime.InteropServices;
using NeuroAlign.Memory;
using NeuroAlign.Time;

namespace NeuroAlign.Streams;

/// <summary>Where the samples of an interleaved binary file are and how they are stored.</summary>
/// <param name="Path">The data file.</param>
/// <param name="DataOffsetBytes">Bytes to skip before sample 0 (a header).</param>
/// <param name="ChannelCount">Channels per sample.</param>
/// <param name="ElementType">Stored element type.</param>
/// <param name="BigEndian">Whether elements are stored big-endian.</param>
/// <param name="DataLengthBytes">Bytes of sample data after the offset; null: up to the end of the file.</param>
public sealed record InterleavedLayout(
    string Path,
    long DataOffsetBytes,
    int ChannelCount,
    SampleType ElementType,
    bool BigEndian = false,
    long? DataLengthBytes = null);

/// <summary>
/// Samples × channels stored interleaved in one file (raw .dat/.bin, SpikeGLX .bin, Open Ephys
/// continuous.dat, C-order .npy), memory-mapped. Windows are spans over the mapping.
/// </summary>
public sealed class InterleavedBinaryStream : ContinuousStream
{
    private readonly MappedFile _file;
    private readonly InterleavedLayout _layout;
    private readonly SampleClock _clock;
    private readonly int[] _channelIds;
    private readonly double[] _gains;

    private InterleavedBinaryStream(
        MappedFile file, InterleavedLayout layout, SampleClock clock, int[] channelIds, double[] gains, string formatName)
    {
        _file = file;
        _layout = layout;
        _clock = clock;
        _channelIds = channelIds;
        _gains = gains;
        FormatName = formatName;
    }

    /// <summary>Number of samples the layout's bytes hold; validates that they hold whole samples.</summary>
    /// <exception cref="InvalidRecordingException">The data is not a whole number of samples.</exception>
    public static long CountSamples(InterleavedLayout layout, long fileLengthBytes)
    {
        ArgumentNullException.ThrowIfNull(layout);
        long frame = (long)layout.ChannelCount * layout.ElementType.SizeOf();
        if (layout.DataOffsetBytes > fileLengthBytes)
        {
            throw new InvalidRecordingException(
                layout.Path, "header", $"a file of {fileLengthBytes} bytes", $"at least the {layout.DataOffsetBytes}-byte header");
        }

        long dataBytes = layout.DataLengthBytes ?? (fileLengthBytes - layout.DataOffsetBytes);
        if (layout.DataOffsetBytes + dataBytes > fileLengthBytes)
        {
            throw new InvalidRecordingException(
                layout.Path, $"byte {fileLengthBytes}", "the end of the file", $"{layout.DataOffsetBytes + dataBytes} bytes of header and data");
        }

        long leftover = dataBytes % frame;
        if (leftover != 0)
        {
            throw new InvalidRecordingException(
                layout.Path,
                "size",
                $"{dataBytes} data bytes, {leftover} bytes left over after {dataBytes / frame} whole samples",
                $"a multiple of {frame} bytes ({layout.ChannelCount} channels × {layout.ElementType.SizeOf()}-byte {layout.ElementType.ToText()}); the file may be truncated or the channel count or dtype wrong");
        }

        return dataBytes / frame;
    }

    /// <summary>
    /// Maps the file and builds the stream. <paramref name="makeClock"/> receives the sample count
    /// (known only once the file's size is) and returns the stream's own clock.
    /// </summary>
    public static InterleavedBinaryStream Open(
        InterleavedLayout layout,
        Func<long, SampleClock> makeClock,
        IReadOnlyList<int>? channelIds,
        IReadOnlyList<double>? gainsToMicrovolts,
        string formatName)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(makeClock);
        if (layout.ChannelCount <= 0)
        {
            throw new NeuroAlignException($"{layout.Path}: channel count {layout.ChannelCount}: expected a positive number");
        }

        MappedFile file = MappedFile.OpenRead(layout.Path);
        try
        {
            long samples = CountSamples(layout, file.LengthBytes);
            SampleClock clock = makeClock(samples);
            int[] ids = channelIds?.ToArray() ?? Enumerable.Range(0, layout.ChannelCount).ToArray();
            double[] gains = gainsToMicrovolts?.ToArray() ?? Enumerable.Repeat(1.0, layout.ChannelCount).ToArray();
            if (ids.Length != layout.ChannelCount || gains.Length != layout.ChannelCount)
            {
                throw new InvalidRecordingException(
                    layout.Path, "channels", $"{ids.Length} channel ids and {gains.Length} gains", $"{layout.ChannelCount} of each");
            }

            return new InterleavedBinaryStream(file, layout, clock, ids, gains, formatName);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    public InterleavedLayout Layout => _layout;

    public override string SourcePath => _layout.Path;

    public override string FormatName { get; }

    public override SampleClock Clock => _clock;

    public override SampleType ElementType => _layout.ElementType;

    public override int ChannelCount => _layout.ChannelCount;

    public override IReadOnlyList<int> ChannelIds => _channelIds;

    public override IReadOnlyList<double> GainsToMicrovolts => _gains;

    public override bool TryGetWindow(long startSample, int sampleCount, out ReadOnlySpan<byte> window)
    {
        bool inPlace = InPlace(startSample, sampleCount, out long offset, out int bytes);
        window = inPlace ? _file.GetSpan(offset, bytes) : default;
        return inPlace;
    }

    public override bool TryGetSourceMemory(long startSample, int sampleCount, out ReadOnlyMemory<byte> samples)
    {
        bool inPlace = InPlace(startSample, sampleCount, out long offset, out int bytes);
        samples = inPlace ? _file.GetMemory(offset, bytes) : default;
        return inPlace;
    }

    /// <summary>Typed zero-copy window (native byte order only), for hot loops over int16 and friends.</summary>
    public ReadOnlySpan<T> GetWindow<T>(long startSample, int sampleCount)
        where T : unmanaged
    {
        if (!TryGetWindow(startSample, sampleCount, out ReadOnlySpan<byte> bytes))
        {
            throw new InvalidOperationException("big-endian data has no zero-copy window; use ReadBlock");
        }

        return MemoryMarshal.Cast<byte, T>(bytes);
    }

    public override void ReadBlock(long startSample, int sampleCount, Span<byte> destination)
    {
        CheckRange(startSample, sampleCount, destination.Length);
        int bytes = checked(sampleCount * FrameBytes);
        ReadOnlySpan<byte> source = _file.GetSpan(_layout.DataOffsetBytes + (startSample * FrameBytes), bytes);
        Span<byte> target = destination[..bytes];
        BulkCopy.Copy(source, target);
        if (_layout.BigEndian)
        {
            SwapInPlace(target, ElementType.SizeOf());
        }
    }

    /// <summary>Where samples [start, start + count) lie in the file, when they can be used in place (native byte order).</summary>
    private bool InPlace(long startSample, int sampleCount, out long byteOffset, out int byteCount)
    {
        (byteOffset, byteCount) = (0, 0);
        if (_layout.BigEndian && ElementType.SizeOf() > 1)
        {
            return false;
        }

        CheckRange(startSample, sampleCount, int.MaxValue);
        (byteOffset, byteCount) = (_layout.DataOffsetBytes + (startSample * FrameBytes), checked(sampleCount * FrameBytes));
        return true;
    }

    /// <summary>Asks the kernel to start reading samples [start, start + count) (readahead for the next window).</summary>
    public void Prefetch(long startSample, long sampleCount) =>
        _file.Prefetch(_layout.DataOffsetBytes + (startSample * FrameBytes), sampleCount * FrameBytes);

    /// <summary>Unmaps samples [start, start + count) once read (a whole-recording pass keeps its resident size flat).</summary>
    public override void ReleaseSamples(long startSample, long sampleCount) =>
        _file.Release(_layout.DataOffsetBytes + (startSample * FrameBytes), sampleCount * FrameBytes);

    internal static void SwapInPlace(Span<byte> bytes, int elementSize)
    {
        switch (elementSize)
        {
            case 2:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ushort>(bytes), MemoryMarshal.Cast<byte, ushort>(bytes));
                break;
            case 4:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, uint>(bytes), MemoryMarshal.Cast<byte, uint>(bytes));
                break;
            case 8:
                BinaryPrimitives.ReverseEndianness(MemoryMarshal.Cast<byte, ulong>(bytes), MemoryMarshal.Cast<byte, ulong>(bytes));
                break;
            default:
                break;
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }
    }
}
