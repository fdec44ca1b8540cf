using System.Globalization;
using System.Runtime.InteropServices;
using NeuroAlign.Streams;
using NeuroAlign.Time;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5.Nwb;

/// <summary>Reading NWB datasets: whole small vectors (indices, tables), slabs of big ones, and a series' timing.</summary>
internal static class NwbData
{
    /// <summary>Values read at once from a timestamps vector when it is searched: 64 KiB.</summary>
    internal const int TimestampBlock = 8192;

    /// <summary>Inflated timestamp chunks kept (h5py's 65 536-value chunks: 32 of them, the depth of any binary search).</summary>
    internal const long TimestampCacheBytes = 16L << 20;

    /// <summary>The element type of a numeric dataset, or null for strings, compounds, references.</summary>
    public static SampleType? TypeOf(IH5Dataset dataset) => ExportFileReader.ToSampleType(dataset.Type);

    /// <summary>
    /// Refuses to read a dataset whole when its shape claims more than the file can hold: stored
    /// as is, its bytes are at most the file's; compressed, at most 64 times the file (a corrupt
    /// shape would otherwise allocate whatever it says).
    /// </summary>
    public static void CheckWholeRead(string path, IH5Dataset dataset, string where)
    {
        ulong elements = 1;
        foreach (ulong d in dataset.Space.Dimensions)
        {
            elements = d == 0 ? 0 : elements > ulong.MaxValue / d ? ulong.MaxValue : elements * d;
        }

        long fileBytes = Math.Max(new FileInfo(path).Length, 1 << 16);
        bool chunked = dataset.Layout.Class == H5DataLayoutClass.Chunked;
        ulong size = Math.Max(1UL, (ulong)dataset.Type.Size);
        ulong limit = (ulong)fileBytes * (chunked ? 64UL : 1UL);
        if (elements > (ulong)Array.MaxLength || elements > limit / size)
        {
            throw new InvalidRecordingException(path, where, string.Create(CultureInfo.InvariantCulture, $"shape {Shape(dataset)} of {size}-byte values"), $"a size the file can hold ({fileBytes} bytes{(chunked ? ", compressed at most 64×" : string.Empty)})");
        }
    }

    /// <summary>A whole 1-D numeric dataset as doubles (small vectors: table columns, indices, spike times).</summary>
    public static double[] Numbers(string path, IH5Dataset dataset, string where)
    {
        CheckWholeRead(path, dataset, where);
        try
        {
            return TypeOf(dataset) switch
            {
                SampleType.Float64 => dataset.Read<double[]>(),
                SampleType.Float32 => Array.ConvertAll(dataset.Read<float[]>(), v => (double)v),
                SampleType.Int8 => Array.ConvertAll(dataset.Read<sbyte[]>(), v => (double)v),
                SampleType.UInt8 => Array.ConvertAll(dataset.Read<byte[]>(), v => (double)v),
                SampleType.Int16 => Array.ConvertAll(dataset.Read<short[]>(), v => (double)v),
                SampleType.UInt16 => Array.ConvertAll(dataset.Read<ushort[]>(), v => (double)v),
                SampleType.Int32 => Array.ConvertAll(dataset.Read<int[]>(), v => (double)v),
                SampleType.UInt32 => Array.ConvertAll(dataset.Read<uint[]>(), v => (double)v),
                SampleType.Int64 => Array.ConvertAll(dataset.Read<long[]>(), v => (double)v),
                SampleType.UInt64 => Array.ConvertAll(dataset.Read<ulong[]>(), v => (double)v),
                _ => throw new InvalidRecordingException(path, where, $"{dataset.Type.Class} of {dataset.Type.Size} bytes", "numbers"),
            };
        }
        catch (Exception e) when (e is not NeuroAlignException and not OutOfMemoryException)
        {
            throw new InvalidRecordingException(path, where, e.Message.ReplaceLineEndings(" "), "readable numbers");
        }
    }

    /// <summary>A whole 1-D integer dataset (ragged indices, ids), each checked to be a whole number.</summary>
    public static long[] Integers(string path, IH5Dataset dataset, string where)
    {
        if (TypeOf(dataset) is not { } type || type is SampleType.Float32 or SampleType.Float64)
        {
            throw new InvalidRecordingException(path, where, $"{dataset.Type.Class} of {dataset.Type.Size} bytes", "integers");
        }

        try
        {
            return type switch
            {
                SampleType.Int64 => dataset.Read<long[]>(),
                SampleType.UInt64 => Array.ConvertAll(dataset.Read<ulong[]>(), v => v > long.MaxValue ? -1 : (long)v),
                _ => Array.ConvertAll(Numbers(path, dataset, where), v => (long)v),
            };
        }
        catch (Exception e) when (e is not NeuroAlignException and not OutOfMemoryException)
        {
            throw new InvalidRecordingException(path, where, e.Message.ReplaceLineEndings(" "), "readable integers");
        }
    }

    /// <summary>A whole 1-D string dataset.</summary>
    public static string[] Texts(string path, IH5Dataset dataset, string where)
    {
        CheckWholeRead(path, dataset, where);
        try
        {
            return dataset.Read<string[]>();
        }
        catch (Exception e) when (e is not NeuroAlignException and not OutOfMemoryException)
        {
            throw new InvalidRecordingException(path, where, e.Message.ReplaceLineEndings(" "), "an array of strings");
        }
    }

    /// <summary>The dataset's shape, as text: (2330, 2).</summary>
    public static string Shape(IH5Dataset dataset) => $"({string.Join(", ", dataset.Space.Dimensions)})";

    /// <summary>
    /// A series' clock in the file's seconds: <c>starting_time</c> (its <c>rate</c> attribute) or
    /// <c>timestamps</c>, for <paramref name="sampleCount"/> samples. Timestamps are read in blocks
    /// (a vector of 10^8 is never loaded whole), keeping the file open until the clock's
    /// timestamps are disposed (<see cref="ExplicitClock.Times"/>); with <paramref name="inMemory"/>
    /// (for data loaded whole anyway: pose, TTL tables) they are read into memory and the file closed.
    /// A series with neither is refused.
    /// </summary>
    public static SampleClock Clock(string path, IH5Group series, string where, long sampleCount, out string description, bool inMemory = false)
    {
        if (series.LinkExists("timestamps"))
        {
            IH5Dataset stamps = series.Dataset("timestamps");
            if (stamps.Space.Rank != 1 || TypeOf(stamps) is not (SampleType.Float64 or SampleType.Float32))
            {
                throw new InvalidRecordingException(path, $"{where}/timestamps", $"{TypeOf(stamps)?.ToString() ?? stamps.Type.Class.ToString()} of shape {Shape(stamps)}", "a vector of float seconds");
            }

            long count = (long)stamps.Space.Dimensions[0];
            if (count < sampleCount)
            {
                throw new InvalidRecordingException(path, $"{where}/timestamps", $"{count} times", $"one per sample of data: {sampleCount}");
            }

            var blocks = new DatasetTimestamps(path, stamps, $"{where}/timestamps", sampleCount);
            if (inMemory)
            {
                using (blocks)
                {
                    var seconds = new double[sampleCount];
                    for (long i = 0; i < sampleCount; i++)
                    {
                        seconds[i] = blocks[i];
                    }

                    description = string.Create(CultureInfo.InvariantCulture, $"timestamps of {where} ({sampleCount} of {count})");
                    return new ExplicitClock(new ArrayTimestamps(seconds), sourceDescription: $"{path}#{where}/timestamps");
                }
            }

            description = string.Create(CultureInfo.InvariantCulture, $"timestamps of {where} ({sampleCount} of {count}), read in blocks of {TimestampBlock}");
            try
            {
                // The constructor reads every time (finite, increasing): its chunk reader is open by then.
                return new ExplicitClock(blocks, sourceDescription: $"{path}#{where}/timestamps");
            }
            catch
            {
                blocks.Dispose();
                throw;
            }
        }

        if (series.LinkExists("starting_time"))
        {
            IH5Dataset start = series.Dataset("starting_time");
            double t0 = start.Space.Rank == 0 ? Numbers1(path, start, $"{where}/starting_time") : double.NaN;
            double? rate = NwbFile.NumberAttribute(path, start, "rate", $"{where}/starting_time");
            if (!double.IsFinite(t0) || rate is not { } hz || !double.IsFinite(hz) || hz <= 0)
            {
                throw new InvalidRecordingException(path, $"{where}/starting_time", string.Create(CultureInfo.InvariantCulture, $"{t0} s at rate {rate?.ToString(CultureInfo.InvariantCulture) ?? "(no rate attribute)"}"), "a finite start in seconds with a rate attribute above 0 Hz");
            }

            NeuroAlign.Formats.ReaderLimits.CheckRate(path, $"{where}/starting_time rate", hz);
            description = string.Create(CultureInfo.InvariantCulture, $"starting_time {t0:R} s, rate {hz:R} Hz");
            return new RegularClock(t0, hz, sampleCount);
        }

        throw new InvalidRecordingException(path, where, "neither starting_time (with rate) nor timestamps", "a TimeSeries timed by one of them");
    }

    private static double Numbers1(string path, IH5Dataset scalar, string where)
    {
        try
        {
            return TypeOf(scalar) switch
            {
                SampleType.Float32 => scalar.Read<float>(),
                SampleType.Float64 => scalar.Read<double>(),
                _ => double.NaN,
            };
        }
        catch (Exception e) when (e is not NeuroAlignException and not OutOfMemoryException)
        {
            throw new InvalidRecordingException(path, where, e.Message.ReplaceLineEndings(" "), "a number of seconds");
        }
    }

    /// <summary>
    /// Disposes a clock's timestamps read from the file (<see cref="Clock"/>) when the stream being
    /// opened around it fails, unless <see cref="Keep"/> was called: the stream then owns them.
    /// </summary>
    internal sealed class TimesOwner(SampleClock clock) : IDisposable
    {
        private bool _kept;

        public void Keep() => _kept = true;

        public void Dispose()
        {
            if (!_kept)
            {
                CloseTimes(clock);
            }
        }
    }

    /// <summary>Closes the file a clock's timestamps read in blocks keep open (<see cref="Clock"/>); nothing for other clocks.</summary>
    internal static void CloseTimes(SampleClock clock) => ((clock as ExplicitClock)?.Times as IDisposable)?.Dispose();

    /// <summary>
    /// A timestamps vector read in blocks of <see cref="TimestampBlock"/> values, two blocks kept:
    /// a binary search touches log2(N / block) blocks, a walk reads each block once.
    /// </summary>
    private sealed class DatasetTimestamps : ITimestamps, IDisposable
    {
        private readonly string _path;
        private readonly IH5Dataset _dataset;
        private readonly string _where;
        private readonly bool _single;
        private readonly long[] _blockOf = [-1, -1];
        private readonly double[][] _blocks = [new double[TimestampBlock], new double[TimestampBlock]];
        private readonly float[] _floats;
        private int _next;

        // h5py's default storage (chunked deflate) is read by our chunk reader, whose cache keeps the
        // chunks a binary search touches: read through PureHDF, every block of a search inflated a
        // whole chunk again (547 s for 100 windows of a 10^6-row series timed by gzip timestamps).
        // Its file handle lives until the stream that owns the clock disposes these timestamps.
        private DeflateChunkReader? _chunks;
        private bool _chunksTried;
        private bool _disposed;

        public DatasetTimestamps(string path, IH5Dataset dataset, string where, long count)
        {
            _path = path;
            _dataset = dataset;
            _where = where;
            Count = count;
            _single = TypeOf(dataset) == SampleType.Float32;
            _floats = _single ? new float[TimestampBlock] : [];
        }

        public long Count { get; }

        public double this[long index]
        {
            get
            {
                long block = index / TimestampBlock;
                int slot = _blockOf[0] == block ? 0 : _blockOf[1] == block ? 1 : Load(block);
                return _blocks[slot][index % TimestampBlock];
            }
        }

        private int Load(long block)
        {
            ObjectDisposedException.ThrowIf(_disposed, this); // its stream is closed: no file to read
            int slot = _next;
            _next ^= 1;
            long first = block * TimestampBlock;
            int n = (int)Math.Min(TimestampBlock, Count - first);
            var selection = new HyperslabSelection(1, [(ulong)first], [(ulong)n]);
            try
            {
                if (ChunkReader() is { } chunks)
                {
                    if (_single)
                    {
                        chunks.Read(first, n, MemoryMarshal.AsBytes(_floats.AsSpan(0, n)));
                        for (int i = 0; i < n; i++)
                        {
                            _blocks[slot][i] = _floats[i];
                        }
                    }
                    else
                    {
                        chunks.Read(first, n, MemoryMarshal.AsBytes(_blocks[slot].AsSpan(0, n)));
                    }
                }
                else if (_single)
                {
                    ((NativeDataset)_dataset).Read(_floats.AsSpan(0, n), selection);
                    for (int i = 0; i < n; i++)
                    {
                        _blocks[slot][i] = _floats[i];
                    }
                }
                else
                {
                    ((NativeDataset)_dataset).Read(_blocks[slot].AsSpan(0, n), selection);
                }
            }
            catch (Exception e) when (e is not NeuroAlignException and not OutOfMemoryException)
            {
                throw new InvalidRecordingException(_path, string.Create(CultureInfo.InvariantCulture, $"{_where}[{first}:{first + n}]"), e.Message.ReplaceLineEndings(" "), "readable float seconds");
            }

            _blockOf[slot] = block;
            return slot;
        }

        public void Dispose()
        {
            _chunks?.Dispose();
            _chunks = null;
            _disposed = true;
        }

        private DeflateChunkReader? ChunkReader()
        {
            if (!_chunksTried)
            {
                _chunksTried = true;
                _chunks = _dataset is NativeDataset native && PureHdfInternals.ObjectHeaderAddress(native) is { } address
                    ? DeflateChunkReader.TryOpen(_path, native, address, TimestampCacheBytes, out _)
                    : null;
            }

            return _chunks;
        }
    }
}
