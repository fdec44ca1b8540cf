namespace NeuroAlign.Hdf5.Compression;

/// <summary>
/// Compresses the chunks of every dataset of one file on worker tasks and writes them, in the
/// order they were handed in, on the thread that writes the file (PureHDF's writer is not
/// thread-safe, and it compresses on the writing thread, one chunk at a time). At most
/// <see cref="MaxJobs"/> chunks, and about <see cref="MaxBytesInFlight"/> bytes of raw and
/// compressed data, are in flight: memory stays bounded however long the export.
/// With one thread, chunks are compressed on the writing thread as they are handed in. Nothing is
/// written while chunks are handed in (<see cref="Submit"/> writes only to stay within the bounds):
/// the caller hands a window's chunks over, then writes what is compressed
/// (<see cref="WriteCompleted"/>) while they are compressed, and <see cref="WaitCompressed"/>
/// before the window's memory is reused.
/// </summary>
internal sealed class ChunkCompressor
{
    /// <summary>Raw plus compressed bytes of the chunks in flight, at most (one job is always allowed).</summary>
    public const long MaxBytesInFlight = 128L << 20;

    private readonly Queue<Job> _queue = new();
    private long _bytesInFlight;

    /// <param name="threads">Chunks compressed at once; 1 compresses on the writing thread.</param>
    public ChunkCompressor(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        MaxJobs = threads == 1 ? 0 : threads + 1;
        ChunkFilters.EnsureRegistered();
    }

    /// <summary>Chunks compressed at once.</summary>
    public int Threads { get; }

    /// <summary>Chunks queued or being compressed, at most (0: compressed on the writing thread as handed in).</summary>
    public int MaxJobs { get; }

    /// <summary>True once the file is being abandoned: pending chunks are dropped, not written.</summary>
    public bool Abandoned { get; private set; }

    /// <summary>The largest number of chunks that were in flight at once (for tests and diagnostics).</summary>
    public int PeakJobs { get; private set; }

    /// <summary>
    /// Compresses <paramref name="raw"/> with <paramref name="codec"/> into
    /// <paramref name="output"/>, later hands the bytes to <paramref name="writer"/> on this
    /// thread, then gives both buffers back through <paramref name="release"/>. May first write
    /// older chunks, to stay within the bounds.
    /// </summary>
    public void Submit(
        Memory<byte> raw,
        ChunkOutput output,
        ChunkCodec codec,
        Action<Memory<byte>> writer,
        Action<Memory<byte>, ChunkOutput> release)
    {
        if (Abandoned)
        {
            release(raw, output);
            return;
        }

        if (MaxJobs == 0)
        {
            codec.Encode(raw.Span, output);
            Write(new Job(Task.CompletedTask, raw, output, writer, release, 0));
            return;
        }

        // A chunk and its compressed copy, which is at most about as large (and a shuffled copy, for zstd and lz4).
        long bytes = raw.Length + output.Capacity + (codec.ShuffleBytes && codec.Codec != CompressionCodec.Gzip ? raw.Length : 0);
        while (_queue.Count >= MaxJobs || (_queue.Count > 0 && _bytesInFlight + bytes > MaxBytesInFlight))
        {
            WriteOldest();
        }

        Task compression = Task.Run(() => codec.Encode(raw.Span, output));
        _queue.Enqueue(new Job(compression, raw, output, writer, release, bytes));
        _bytesInFlight += bytes;
        PeakJobs = Math.Max(PeakJobs, _queue.Count);

        // Nothing is written here: a window's chunks are all handed over before any earlier one is written.
    }

    /// <summary>Writes the chunks at the head of the queue that are already compressed.</summary>
    public void WriteCompleted()
    {
        while (_queue.Count > 0 && _queue.Peek().Compression.IsCompleted)
        {
            WriteOldest();
        }
    }

    /// <summary>
    /// Waits until every chunk in flight is compressed, without writing it: the raw bytes (a
    /// caller's window) are not read after this, and the compressed ones are written later, while
    /// the next window is compressed. A failed compression is thrown here, as itself.
    /// </summary>
    public void WaitCompressed()
    {
        foreach (Job job in _queue)
        {
            job.Compression.GetAwaiter().GetResult();
        }
    }

    /// <summary>Waits for every chunk in flight and writes it (or drops it, once abandoned).</summary>
    public void WriteAll()
    {
        while (_queue.Count > 0)
        {
            WriteOldest();
        }
    }

    /// <summary>The file will be deleted: stop compressing, wait for the work in flight, write nothing more.</summary>
    public void Abandon()
    {
        Abandoned = true;
        while (_queue.Count > 0)
        {
            Job job = _queue.Dequeue();
            _bytesInFlight -= job.Bytes;
            try
            {
                job.Compression.Wait();
            }
            catch (AggregateException)
            {
                // Nothing of this chunk is kept.
            }
        }
    }

    private void WriteOldest()
    {
        Job job = _queue.Dequeue();
        _bytesInFlight -= job.Bytes;

        // A failure in compression (out of memory) surfaces here, as itself.
        job.Compression.GetAwaiter().GetResult();
        if (Abandoned)
        {
            job.Release(job.Raw, job.Output);
            return;
        }

        Write(job);
    }

    private static void Write(Job job)
    {
        Memory<byte> compressed = job.Output.Written;
        PureHdfInternals.PassThrough(() => job.Writer(compressed));
        job.Release(job.Raw, job.Output);
    }

    private sealed record Job(
        Task Compression,
        Memory<byte> Raw,
        ChunkOutput Output,
        Action<Memory<byte>> Writer,
        Action<Memory<byte>, ChunkOutput> Release,
        long Bytes);
}
