using System.Globalization;
using System.Runtime.InteropServices;
using NeuroAlign.Formats;
using NeuroAlign.Streams;
using NeuroAlign.Time;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5.Nwb;

/// <summary>
/// An NWB ElectricalSeries (or any TimeSeries whose data is [T] or [T, C] numbers) as a continuous
/// stream, read lazily: a block reads and inflates only the chunks it covers, through a chunk cache
/// bounded in bytes. Chunked data stored as h5py and pynwb write it by default (a version 1 B-tree,
/// deflate with or without shuffle) is read by <see cref="DeflateChunkReader"/>, its chunks inflated
/// over the cores; any other storage is one hyperslab read by PureHDF (<see cref="BoundedChunkCache"/>).
/// The clock counts the file's seconds (starting_time + rate, or timestamps searched in blocks).
/// </summary>
public sealed class NwbSeriesStream : ContinuousStream
{
    /// <summary>Bytes of inflated chunks kept per stream: windows that share chunks inflate them once.</summary>
    public const long ChunkCacheBytes = 64L << 20;

    private readonly NwbFile _file;
    private readonly NativeDataset _data;
    private readonly H5DatasetAccess _access;
    private readonly int[] _channelIds;
    private readonly double[] _gains;
    private readonly double[] _offsets;
    private readonly ChannelLayout? _layout;
    private readonly KeyValuePair<string, string>[] _details;
    private readonly bool _vector;
    private readonly Lock _readerGate = new();
    private DeflateChunkReader? _chunks;
    private string? _chunkReading;
    private bool _disposed;

    private NwbSeriesStream(NwbFile file, NativeDataset data, string sourcePath, SampleClock clock, SampleType type, int channels, int[] channelIds, double[] gains, double[] offsets, ChannelLayout? layout, KeyValuePair<string, string>[] details, bool vector)
    {
        _file = file;
        _data = data;
        SourcePath = sourcePath;
        Clock = clock;
        ElementType = type;
        ChannelCount = channels;
        _channelIds = channelIds;
        _gains = gains;
        _offsets = offsets;
        _layout = layout;
        _details = details;
        _vector = vector;
        _access = new H5DatasetAccess(ChunkCache: new BoundedChunkCache(ChunkCacheBytes));
    }

    public override string SourcePath { get; }

    public override string FormatName => "nwb";

    public override SampleClock Clock { get; }

    public override SampleType ElementType { get; }

    public override int ChannelCount { get; }

    public override IReadOnlyList<int> ChannelIds => _channelIds;

    public override IReadOnlyList<double> GainsToMicrovolts => _gains;

    public override IReadOnlyList<double> OffsetsMicrovolts => _offsets;

    /// <summary>What the file says of the series (object, data, storage, timing, electrodes), for info.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> NwbDetails => _details;

    public override ChannelLayout? ChannelLayout => _layout;

    /// <summary>Chunks <see cref="DeflateChunkReader"/> inflated so far (cache misses).</summary>
    internal long ChunksInflatedForTests => _chunks?.ChunksInflated ?? 0;

    /// <summary>How blocks are read: by <see cref="DeflateChunkReader"/> (its filters), or by PureHDF and why (known after the first read).</summary>
    internal string ChunkReading
    {
        get
        {
            _ = ChunkReader();
            return _chunkReading!;
        }
    }

    public override IReadOnlyList<KeyValuePair<string, string>> Details => [.. base.Details, .. _details];


    /// <summary>Opens the series an address names; the stream owns the file.</summary>
    public static NwbSeriesStream Open(NwbFile file, NwbObject series, out IReadOnlyList<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(series);
        string path = file.SourcePath;
        IH5Group g = file.Group(series);
        if (!g.LinkExists("data") || g.Get("data") is not NativeDataset data)
        {
            throw new InvalidRecordingException(path, series.Path, "no data dataset", "data [samples, channels]");
        }

        ulong[] dims = data.Space.Dimensions;
        SampleType type = NwbData.TypeOf(data) is { } t && t != SampleType.UInt64
            ? t
            : throw new InvalidRecordingException(path, $"{series.Path}/data", $"{data.Type.Class} of {data.Type.Size} bytes", "integers or floats");
        if (dims.Length is not (1 or 2) || (dims.Length == 2 && (dims[1] == 0 || dims[1] > (ulong)ReaderLimits.MaxChannels)))
        {
            throw new InvalidRecordingException(path, $"{series.Path}/data", $"shape {NwbData.Shape(data)}", $"[samples] or [samples, channels] with 1 to {ReaderLimits.MaxChannels} channels");
        }

        long samples = (long)dims[0];
        int channels = dims.Length == 2 ? (int)dims[1] : 1;
        SampleClock clock = NwbData.Clock(path, g, series.Path, samples, out string timing);
        using var times = new NwbData.TimesOwner(clock); // closed if a check below fails
        string unit = data.AttributeExists("unit") ? NwbFile.TextAttribute(path, data, "unit", $"{series.Path}/data") : "(none)";
        double conversion = NwbFile.NumberAttribute(path, data, "conversion", $"{series.Path}/data") ?? 1;
        double offset = NwbFile.NumberAttribute(path, data, "offset", $"{series.Path}/data") ?? 0;
        double? resolution = NwbFile.NumberAttribute(path, data, "resolution", $"{series.Path}/data");
        var notes = new List<string>();
        double[] channelConversion = Enumerable.Repeat(1.0, channels).ToArray();
        if (g.LinkExists("channel_conversion"))
        {
            double[] given = NwbData.Numbers(path, g.Dataset("channel_conversion"), $"{series.Path}/channel_conversion");
            channelConversion = given.Length == channels
                ? given
                : throw new InvalidRecordingException(path, $"{series.Path}/channel_conversion", $"{given.Length} factors", $"one per channel: {channels}");
        }

        // NWB stores volts × conversion; µV is 1e6 of a volt. Other units keep their factor (info says which).
        bool volts = unit is "volts" or "volt" or "V";
        double toMicro = volts ? 1e6 : 1;
        double[] gains = [.. channelConversion.Select(c => conversion * c * toMicro)];
        if (!volts)
        {
            notes.Add($"data unit '{unit}', not volts: gain_to_uV holds conversion × channel_conversion in that unit");
        }

        if (offset != 0)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture, $"offset {offset:R} {unit}: added with units uV (data in counts leave it out; gain_to_uV is the factor only)"));
        }

        (int[] ids, ChannelLayout? layout, string electrodes) = Electrodes(file, g, series.Path, channels);
        var details = new List<KeyValuePair<string, string>>
        {
            new("nwb object", $"{series.Path} ({series.Type}, NWB {file.Version})"),
            new("data", $"{NwbData.Shape(data)} {type.ToText()}, unit {unit}, conversion {conversion.ToString("R", CultureInfo.InvariantCulture)}, offset {offset.ToString("R", CultureInfo.InvariantCulture)}, resolution {resolution?.ToString("R", CultureInfo.InvariantCulture) ?? "(none)"}"),
            new("storage", Storage(data)),
            new("timing", timing),
            new("electrodes", electrodes),
        };
        details.AddRange(notes.Select(n => new KeyValuePair<string, string>("note", n)));
        warnings = [];
        double[] offsets = offset == 0 ? [] : [.. Enumerable.Repeat(offset * toMicro, channels)];
        times.Keep();
        return new NwbSeriesStream(file, data, $"{path}#{series.Path}", clock, type, channels, ids, gains, offsets, layout, [.. details], dims.Length == 1);
    }

    public override void ReadBlock(long startSample, int sampleCount, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckRange(startSample, sampleCount, destination.Length);
        if (sampleCount == 0)
        {
            return;
        }

        Selection selection = _vector
            ? new HyperslabSelection(1, [(ulong)startSample], [(ulong)sampleCount])
            : new HyperslabSelection(2, [(ulong)startSample, 0], [(ulong)sampleCount, (ulong)ChannelCount]);
        Span<byte> bytes = destination[..(sampleCount * FrameBytes)];
        if (ChunkReader() is { } chunks)
        {
            chunks.Read(startSample, sampleCount, bytes);
            return;
        }

        try
        {
            switch (ElementType)
            {
                case SampleType.Int8: _data.Read(_access, MemoryMarshal.Cast<byte, sbyte>(bytes), selection); break;
                case SampleType.UInt8: _data.Read(_access, bytes, selection); break;
                case SampleType.Int16: _data.Read(_access, MemoryMarshal.Cast<byte, short>(bytes), selection); break;
                case SampleType.UInt16: _data.Read(_access, MemoryMarshal.Cast<byte, ushort>(bytes), selection); break;
                case SampleType.Int32: _data.Read(_access, MemoryMarshal.Cast<byte, int>(bytes), selection); break;
                case SampleType.UInt32: _data.Read(_access, MemoryMarshal.Cast<byte, uint>(bytes), selection); break;
                case SampleType.Int64: _data.Read(_access, MemoryMarshal.Cast<byte, long>(bytes), selection); break;
                case SampleType.Float32: _data.Read(_access, MemoryMarshal.Cast<byte, float>(bytes), selection); break;
                case SampleType.Float64: _data.Read(_access, MemoryMarshal.Cast<byte, double>(bytes), selection); break;
                default: throw new InvalidOperationException($"unexpected element type {ElementType}");
            }
        }
        catch (Exception e) when (e is not NeuroAlignException and not OutOfMemoryException and not ArgumentException)
        {
            throw new InvalidRecordingException(SourcePath, string.Create(CultureInfo.InvariantCulture, $"data samples {startSample}..{startSample + sampleCount - 1}"), e.Message.ReplaceLineEndings(" "), "readable data (a filter PureHDF reads: deflate, shuffle, …)");
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (!_disposed && disposing)
        {
            lock (_readerGate)
            {
                _chunks?.Dispose();
            }

            NwbData.CloseTimes(Clock);

            _file.Dispose();
        }

        _disposed = true;
    }

    /// <summary>The chunk reader of this series' data, opened at the first read; null when PureHDF reads it.</summary>
    private DeflateChunkReader? ChunkReader()
    {
        lock (_readerGate)
        {
            if (_chunkReading is null)
            {
                string why = "PureHDF 2.2 keeps the object header's address elsewhere";
                _chunks = PureHdfInternals.ObjectHeaderAddress(_data) is { } address
                    ? DeflateChunkReader.TryOpen(_file.SourcePath, _data, address, ChunkCacheBytes, out why)
                    : null;
                _chunkReading = _chunks is { } reader ? $"chunks read and inflated here ({reader.Filters})" : $"PureHDF: {why}";
            }

            return _chunks;
        }
    }

    private static string Storage(NativeDataset data)
    {
        try
        {
            string layout = data.Layout.Class.ToString().ToLowerInvariant();
            return data.Layout.Class == H5DataLayoutClass.Chunked && data.Layout.Chunks is { } chunk
                ? $"{layout}, chunks ({string.Join(", ", chunk)})"
                : layout;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return "unknown";
        }
    }

    /// <summary>
    /// The series' electrodes region (row indices into the electrodes table): channel ids from the
    /// table's id column, and probe positions from rel_x / rel_y (never x, y, z, which are brain
    /// coordinates). Without a region, channels are numbered 0..C-1.
    /// </summary>
    private static (int[] Ids, ChannelLayout? Layout, string Description) Electrodes(NwbFile file, IH5Group series, string where, int channels)
    {
        string path = file.SourcePath;
        int[] sequential = [.. Enumerable.Range(0, channels)];
        if (!series.LinkExists("electrodes"))
        {
            return (sequential, null, "no electrodes region: channels numbered 0.. in data order");
        }

        long[] rows = NwbData.Integers(path, series.Dataset("electrodes"), $"{where}/electrodes");
        if (rows.Length != channels)
        {
            throw new InvalidRecordingException(path, $"{where}/electrodes", $"{rows.Length} electrodes", $"one per channel of data: {channels}");
        }

        const string Table = "general/extracellular_ephys/electrodes";
        if (!file.H5.LinkExists(Table))
        {
            return ([.. rows.Select(r => (int)r)], null, $"region rows {Rows(rows)}; no {Table} table: ids are the rows");
        }

        IH5Group table = file.H5.Group(Table);
        long[] tableIds = table.LinkExists("id") ? NwbData.Integers(path, table.Dataset("id"), $"{Table}/id") : [];
        if (rows.Any(r => r < 0 || r >= tableIds.Length))
        {
            throw new InvalidRecordingException(path, $"{where}/electrodes", $"rows {Rows(rows)}", $"rows of {Table} (it has {tableIds.Length})");
        }

        int[] ids = [.. rows.Select(r => (int)Math.Clamp(tableIds[r], int.MinValue, int.MaxValue))];
        string[] names = [.. ids.Select(i => i.ToString(CultureInfo.InvariantCulture))];
        string areas = string.Empty;
        string[]? channelLocations = null;
        if (table.LinkExists("location") && table.Get("location") is IH5Dataset loc && loc.Type.Class is H5DataTypeClass.String or H5DataTypeClass.VariableLength)
        {
            // Each channel's brain area, in data order (/ephys/channel_locations); info lists the distinct ones.
            string[] locations = NwbData.Texts(path, loc, $"{Table}/location");
            if (locations.Length != tableIds.Length)
            {
                throw new InvalidRecordingException(path, $"{Table}/location", $"{locations.Length} values", $"one per row of the table: {tableIds.Length}");
            }

            channelLocations = [.. rows.Select(r => locations[r])];
            string[] distinct = [.. channelLocations.Where(l => l.Length > 0).Distinct()];
            areas = distinct.Length == 0 ? string.Empty : $"; locations {string.Join(", ", distinct.Take(8))}{(distinct.Length > 8 ? ", …" : string.Empty)}";
        }

        IReadOnlyList<ProbeSite?> sites = [];
        string siteSource = "no rel_x/rel_y columns: no probe positions";
        if (table.LinkExists("rel_x") && table.LinkExists("rel_y"))
        {
            double[] x = NwbData.Numbers(path, table.Dataset("rel_x"), $"{Table}/rel_x");
            double[] y = NwbData.Numbers(path, table.Dataset("rel_y"), $"{Table}/rel_y");
            if (x.Length == tableIds.Length && y.Length == tableIds.Length)
            {
                sites = [.. rows.Select(r => (ProbeSite?)new ProbeSite(0, x[r], y[r]))];
                siteSource = $"{Table} rel_x, rel_y (µm on the probe)";
            }
        }

        return (ids, new ChannelLayout(names, sites, siteSource, Locations: channelLocations), $"region rows {Rows(rows)} of {Table}; {siteSource}{areas}");
    }

    private static string Rows(long[] rows) => rows.Length <= 6 ? string.Join(", ", rows) : $"{string.Join(", ", rows.Take(3))} … {rows[^1]} ({rows.Length})";
}

/// <summary>
/// A reading chunk cache bounded in bytes (least recently used out first): a window that spans a
/// chunk boundary, and the next window in the same chunks, inflate each chunk once, while memory
/// stays under the bound whatever the file's size.
/// </summary>
internal sealed class BoundedChunkCache(long capacityBytes) : IReadingChunkCache
{
    private readonly LinkedList<(ulong Index, Memory<byte> Chunk)> _order = new();
    private readonly Dictionary<ulong, LinkedListNode<(ulong Index, Memory<byte> Chunk)>> _byIndex = [];
    private long _bytes;

    /// <summary>Bytes held now.</summary>
    public long Bytes => _bytes;

    public Memory<byte> GetChunk(ulong chunkIndex, Func<Memory<byte>> chunkReader)
    {
        if (_byIndex.TryGetValue(chunkIndex, out var node))
        {
            _order.Remove(node);
            _order.AddFirst(node);
            return node.Value.Chunk;
        }

        Memory<byte> chunk = chunkReader();
        while (_order.Count > 0 && _bytes + chunk.Length > capacityBytes)
        {
            var last = _order.Last!;
            _order.RemoveLast();
            _byIndex.Remove(last.Value.Index);
            _bytes -= last.Value.Chunk.Length;
        }

        _byIndex[chunkIndex] = _order.AddFirst((chunkIndex, chunk));
        _bytes += chunk.Length;
        return chunk;
    }
}
