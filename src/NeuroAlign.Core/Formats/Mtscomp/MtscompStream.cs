using System.IO.Compression;
using System.Numerics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Formats.Mtscomp;

/// <summary>
/// An mtscomp .cbin read at random: a window decompresses only the chunks it touches (zlib, then
/// the sums that undo the differences), several at once over the cores, and keeps the latest in a
/// bounded cache (<see cref="CacheBudgetBytes"/>, at least <see cref="MinCachedChunks"/> chunks), so
/// memory stays flat whatever the file's length. The compressed bytes are read with positioned
/// reads (no shared file position), so chunks decompress in parallel safely.
/// </summary>
public sealed class MtscompStream : ContinuousStream
{
    /// <summary>Decompressed bytes the cache aims to hold at most (but never fewer than <see cref="MinCachedChunks"/> chunks).</summary>
    public const long CacheBudgetBytes = 96L << 20;

    /// <summary>Chunks the cache holds at least: a window across a chunk boundary needs two, and the next window usually one of them.</summary>
    public const int MinCachedChunks = 3;

    private readonly MtscompHeader _header;
    private readonly SafeFileHandle _file;
    private readonly SampleClock _clock;
    private readonly int[] _channelIds;
    private readonly double[] _gains;
    private readonly int _capacity;
    private readonly object _gate = new();

    // The cache: decoded chunks (C order, as ReadSamples writes) and their last use. Evicted
    // buffers are reused for the next chunk of the same size (a stream is read by one thread at a
    // time, as the aligner does; the lock keeps the cache itself consistent).
    private readonly Dictionary<int, CachedChunk> _cache = [];
    private readonly Stack<byte[]> _spare = new();
    private long _uses;
    private bool _disposed;

    private MtscompStream(string cbinPath, MtscompHeader header, SafeFileHandle file, SampleClock clock, int[] channelIds, double[] gains, string formatName)
    {
        SourcePath = cbinPath;
        _header = header;
        _file = file;
        _clock = clock;
        _channelIds = channelIds;
        _gains = gains;
        FormatName = formatName;
        long largest = 0;
        for (int i = 0; i < header.ChunkCount; i++)
        {
            largest = Math.Max(largest, ChunkSamples(i));
        }

        long chunkBytes = Math.Max(1, largest * FrameBytes);
        _capacity = (int)Math.Clamp(CacheBudgetBytes / chunkBytes, MinCachedChunks, Math.Max(MinCachedChunks, header.ChunkCount));
    }

    /// <summary>Opens a .cbin with its .ch; the clock is made once the sample count is known.</summary>
    /// <exception cref="InvalidRecordingException">The .ch is malformed or disagrees with the .cbin's size or with the channels given.</exception>
    public static MtscompStream Open(string cbinPath, string chPath, Func<long, SampleClock> makeClock, IReadOnlyList<int>? channelIds, IReadOnlyList<double>? gains, string formatName)
    {
        ArgumentNullException.ThrowIfNull(cbinPath);
        ArgumentNullException.ThrowIfNull(chPath);
        ArgumentNullException.ThrowIfNull(makeClock);
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(cbinPath, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NeuroAlignException($"{cbinPath}: cannot open: {Memory.FileErrors.Describe(e)}", e);
        }

        try
        {
            MtscompHeader header = MtscompHeader.Load(chPath, RandomAccess.GetLength(file));
            int[] ids = channelIds?.ToArray() ?? Enumerable.Range(0, header.ChannelCount).ToArray();
            double[] g = gains?.ToArray() ?? Enumerable.Repeat(1.0, header.ChannelCount).ToArray();
            if (ids.Length != header.ChannelCount || g.Length != header.ChannelCount)
            {
                throw new InvalidRecordingException(chPath, "field 'n_channels'", header.ChannelCount.ToString(System.Globalization.CultureInfo.InvariantCulture), $"{ids.Length} channels, as the metadata beside it saves");
            }

            return new MtscompStream(cbinPath, header, file, makeClock(header.SampleCount), ids, g, formatName);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The .ch header.</summary>
    public MtscompHeader Header => _header;

    /// <summary>Chunks the cache holds at most.</summary>
    public int CacheCapacityChunks => _capacity;

    public override string SourcePath { get; }

    public override string FormatName { get; }

    public override SampleClock Clock => _clock;

    public override SampleType ElementType => _header.ElementType;

    public override int ChannelCount => _header.ChannelCount;

    public override IReadOnlyList<int> ChannelIds => _channelIds;

    public override IReadOnlyList<double> GainsToMicrovolts => _gains;

    public override void ReadBlock(long startSample, int sampleCount, Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckRange(startSample, sampleCount, destination.Length);
        if (sampleCount == 0)
        {
            return;
        }

        int first = ChunkOf(startSample), last = ChunkOf(startSample + sampleCount - 1);
        int frame = FrameBytes;

        // At most the cache's capacity at a time, so a long read never holds more than the cache.
        for (int batchStart = first; batchStart <= last; batchStart += _capacity)
        {
            int batchEnd = Math.Min(last, batchStart + _capacity - 1);
            byte[][] chunks = Fetch(batchStart, batchEnd);
            for (int c = batchStart; c <= batchEnd; c++)
            {
                long chunkStart = _header.ChunkBounds[c];
                long from = Math.Max(startSample, chunkStart);
                long to = Math.Min(startSample + sampleCount, _header.ChunkBounds[c + 1]);
                chunks[c - batchStart].AsSpan((int)((from - chunkStart) * frame), (int)((to - from) * frame))
                    .CopyTo(destination[(int)((from - startSample) * frame)..]);
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                _disposed = true;
                _cache.Clear();
                _spare.Clear();
            }

            _file.Dispose();
        }
    }

    private long ChunkSamples(int chunk) => _header.ChunkBounds[chunk + 1] - _header.ChunkBounds[chunk];

    private int ChunkOf(long sample)
    {
        IReadOnlyList<long> bounds = _header.ChunkBounds;
        int lo = 0, hi = bounds.Count - 2;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (bounds[mid] <= sample)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    /// <summary>Chunks [first, last] decoded: cached ones as they are, the others decompressed at once over the cores.</summary>
    private byte[][] Fetch(int first, int last)
    {
        var result = new byte[last - first + 1][];
        var missing = new List<int>();
        lock (_gate)
        {
            for (int c = first; c <= last; c++)
            {
                if (_cache.TryGetValue(c, out CachedChunk? hit))
                {
                    hit.LastUse = ++_uses;
                    result[c - first] = hit.Data;
                }
                else
                {
                    missing.Add(c);
                }
            }

            // Room for the missing ones, dropping the least recently used chunks not needed now.
            while (_cache.Count + missing.Count > _capacity)
            {
                KeyValuePair<int, CachedChunk> oldest = _cache.Where(e => e.Key < first || e.Key > last).MinBy(e => e.Value.LastUse);
                if (oldest.Value is null)
                {
                    break;
                }

                _cache.Remove(oldest.Key);
                if (_spare.Count < 2)
                {
                    _spare.Push(oldest.Value.Data);
                }
            }
        }

        var decoded = new byte[missing.Count][];
        var buffers = new byte[missing.Count][];
        lock (_gate)
        {
            for (int m = 0; m < missing.Count; m++)
            {
                long bytes = ChunkSamples(missing[m]) * FrameBytes;
                buffers[m] = _spare.Count > 0 && _spare.Peek().Length == bytes ? _spare.Pop() : new byte[bytes];
            }
        }

        if (missing.Count == 1)
        {
            decoded[0] = Decode(missing[0], buffers[0]);
        }
        else if (missing.Count > 1)
        {
            Parallel.For(0, missing.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, m => decoded[m] = Decode(missing[m], buffers[m]));
        }

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (int m = 0; m < missing.Count; m++)
            {
                result[missing[m] - first] = decoded[m];
                _cache[missing[m]] = new CachedChunk(decoded[m]) { LastUse = ++_uses };
            }
        }

        return result;
    }

    /// <summary>Reads, inflates and integrates one chunk into <paramref name="output"/> (C order).</summary>
    private byte[] Decode(int chunk, byte[] output)
    {
        long offset = _header.ChunkOffsets[chunk];
        int compressedBytes = checked((int)(_header.ChunkOffsets[chunk + 1] - offset));
        int rows = (int)ChunkSamples(chunk);
        byte[] compressed = System.Buffers.ArrayPool<byte>.Shared.Rent(compressedBytes);
        byte[] diffs = System.Buffers.ArrayPool<byte>.Shared.Rent(output.Length);
        try
        {
            int read = 0;
            while (read < compressedBytes)
            {
                int n = RandomAccess.Read(_file, compressed.AsSpan(read, compressedBytes - read), offset + read);
                if (n == 0)
                {
                    throw new InvalidRecordingException(SourcePath, $"byte {offset + read}", "the end of the file", $"chunk {chunk}'s {compressedBytes} bytes from byte {offset}");
                }

                read += n;
            }

            Inflate(chunk, compressed, compressedBytes, diffs.AsSpan(0, output.Length));
            switch (ElementType)
            {
                case SampleType.Int16:
                    Integrate<short>(diffs, output, rows);
                    break;
                case SampleType.UInt16:
                    Integrate<ushort>(diffs, output, rows);
                    break;
                default:
                    Integrate<int>(diffs, output, rows);
                    break;
            }

            return output;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(compressed);
            System.Buffers.ArrayPool<byte>.Shared.Return(diffs);
        }
    }

    /// <summary>One zlib stream that must give exactly the chunk's bytes and end there.</summary>
    private void Inflate(int chunk, byte[] compressed, int compressedBytes, Span<byte> destination)
    {
        string where = $"chunk {chunk} (bytes {_header.ChunkOffsets[chunk]} to {_header.ChunkOffsets[chunk + 1]})";
        try
        {
            using var source = new MemoryStream(compressed, 0, compressedBytes, writable: false);
            using var zlib = new ZLibStream(source, CompressionMode.Decompress);
            int got = zlib.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);

            Span<byte> probe = stackalloc byte[1];
            if (got != destination.Length || zlib.Read(probe) != 0)
            {
                throw new InvalidRecordingException(
                    SourcePath, where, got != destination.Length ? $"{got} bytes inflated" : "more bytes than the chunk holds", $"{destination.Length} bytes ({ChunkSamples(chunk)} samples × {FrameBytes} bytes, from {System.IO.Path.GetFileName(_header.Path)})");
            }
        }
        catch (InvalidDataException)
        {
            throw new InvalidRecordingException(SourcePath, where, "bytes that do not inflate", "one zlib stream (the .cbin is damaged, or the .ch is not its own)");
        }
    }

    /// <summary>
    /// Undoes the differences: across channels first (do_spatial_diff), then along time
    /// (do_time_diff), in the element type's own wrapping arithmetic as numpy's cumsum into the
    /// dtype does, writing samples interleaved. Channel-major chunks are summed a block of rows at
    /// a time, so the interleaved writes stay in cache.
    /// </summary>
    private void Integrate<T>(byte[] diffBytes, byte[] outputBytes, int rows)
        where T : unmanaged, IBinaryInteger<T>
    {
        int channels = ChannelCount;
        Span<T> d = MemoryMarshal.Cast<byte, T>(diffBytes.AsSpan(0, outputBytes.Length));
        Span<T> o = MemoryMarshal.Cast<byte, T>(outputBytes.AsSpan());
        bool time = _header.TimeDiff, spatial = _header.SpatialDiff;
        if (_header.ChannelMajor)
        {
            if (spatial)
            {
                // Across channels within each sample: element (r, c) is at c × rows + r.
                for (int c = 1; c < channels; c++)
                {
                    Span<T> cur = d.Slice(c * rows, rows);
                    ReadOnlySpan<T> prev = d.Slice((c - 1) * rows, rows);
                    AddInPlace(cur, prev);
                }
            }

            const int Block = 256;
            Span<T> running = channels <= 4096 ? stackalloc T[channels] : new T[channels];
            running.Clear();
            for (int r0 = 0; r0 < rows; r0 += Block)
            {
                int r1 = Math.Min(rows, r0 + Block);
                for (int c = 0; c < channels; c++)
                {
                    ReadOnlySpan<T> column = d.Slice((c * rows) + r0, r1 - r0);
                    T s = running[c];
                    int at = (r0 * channels) + c;
                    for (int r = 0; r < column.Length; r++, at += channels)
                    {
                        s = time ? unchecked(s + column[r]) : column[r];
                        o[at] = s;
                    }

                    running[c] = s;
                }
            }

            return;
        }

        d.CopyTo(o);
        for (int r = 0; r < rows; r++)
        {
            Span<T> row = o.Slice(r * channels, channels);
            if (spatial)
            {
                for (int c = 1; c < channels; c++)
                {
                    row[c] = unchecked(row[c] + row[c - 1]);
                }
            }

            if (time && r > 0)
            {
                AddInPlace(row, o.Slice((r - 1) * channels, channels));
            }
        }
    }

    /// <summary>target[i] += source[i], wrapping, a vector at a time.</summary>
    private static void AddInPlace<T>(Span<T> target, ReadOnlySpan<T> source)
        where T : unmanaged, IBinaryInteger<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= target.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                (new Vector<T>(target[i..]) + new Vector<T>(source[i..])).CopyTo(target[i..]);
            }
        }

        for (; i < target.Length; i++)
        {
            target[i] = unchecked(target[i] + source[i]);
        }
    }

    private sealed class CachedChunk(byte[] data)
    {
        public byte[] Data { get; } = data;

        public long LastUse { get; set; }
    }
}
