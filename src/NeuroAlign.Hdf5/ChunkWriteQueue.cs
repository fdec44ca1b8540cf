using System.Runtime.ExceptionServices;

namespace NeuroAlign.Hdf5;

/// <summary>
/// Writes the uncompressed chunks of every dataset of one file on one background thread, in the
/// order they were handed in, so the next window is sampled and copied while the kernel copies
/// this one into the page cache (on a 23 MB window the <c>write</c> is most of the time). One
/// thread keeps PureHDF's writer single-threaded, as it must be: every stream write of the export
/// goes through this queue until <see cref="Drain"/>, after which the writing thread has the file
/// to itself again (PureHDF writes its metadata when the writer is disposed). At most
/// <see cref="MaxChunks"/> chunks and about <see cref="MaxBytesInFlight"/> bytes wait at once, so
/// memory stays bounded however long the export.
/// </summary>
internal sealed class ChunkWriteQueue : IDisposable
{
    /// <summary>Bytes of the chunks waiting or being written, at most (one chunk is always allowed).</summary>
    public const long MaxBytesInFlight = 64L << 20;

    /// <summary>Chunks waiting or being written, at most.</summary>
    public const int MaxChunks = 4;

    private readonly Queue<Job> _jobs = new();
    private readonly Thread _thread;
    private long _bytesInFlight;
    private bool _busy;
    private bool _stopping;
    private ExceptionDispatchInfo? _failure;

    public ChunkWriteQueue()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "NeuroAlign chunk writer" };
        _thread.Start();
    }

    /// <summary>True once the file is being abandoned: chunks still waiting are dropped, not written.</summary>
    public bool Abandoned { get; private set; }

    /// <summary>The most chunks that were waiting or being written at once (for tests and diagnostics).</summary>
    public int PeakChunks { get; private set; }

    /// <summary>
    /// Hands <paramref name="write"/> (which writes <paramref name="bytes"/> bytes) to the writer
    /// thread, then <paramref name="release"/> is called there, written or not. Waits while the
    /// queue is full; throws the writer's failure, if an earlier chunk failed.
    /// </summary>
    public void Submit(long bytes, Action write, Action release)
    {
        lock (_jobs)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            while (!Abandoned && _failure == null && Count > 0 && (Count >= MaxChunks || _bytesInFlight + bytes > MaxBytesInFlight))
            {
                Monitor.Wait(_jobs);
            }

            if (Abandoned || _failure != null)
            {
                release();
                ThrowFailure();
                return;
            }

            _jobs.Enqueue(new Job(write, release, bytes));
            _bytesInFlight += bytes;
            PeakChunks = Math.Max(PeakChunks, Count);
            Monitor.PulseAll(_jobs);
        }
    }

    /// <summary>Waits until every chunk handed in is written; throws the writer's failure, if any.</summary>
    public void Drain()
    {
        if (Thread.CurrentThread == _thread)
        {
            throw new InvalidOperationException("Drain on the writer thread would wait for itself");
        }

        lock (_jobs)
        {
            while (Count > 0)
            {
                Monitor.Wait(_jobs);
            }

            ThrowFailure();
        }
    }

    /// <summary>The file will be deleted: drop the chunks still waiting, wait for the one being written.</summary>
    public void Abandon()
    {
        lock (_jobs)
        {
            Abandoned = true;
            Monitor.PulseAll(_jobs);
            while (Count > 0)
            {
                Monitor.Wait(_jobs);
            }
        }
    }

    public void Dispose()
    {
        lock (_jobs)
        {
            _stopping = true;
            Monitor.PulseAll(_jobs);
        }

        _thread.Join();
    }

    private int Count => _jobs.Count + (_busy ? 1 : 0);

    /// <summary>A failed write surfaces on the writing thread, as itself; not once the file is abandoned.</summary>
    private void ThrowFailure()
    {
        if (!Abandoned)
        {
            _failure?.Throw();
        }
    }

    private void Run()
    {
        while (true)
        {
            Job job;
            bool write;
            lock (_jobs)
            {
                while (_jobs.Count == 0 && !_stopping)
                {
                    Monitor.Wait(_jobs);
                }

                if (_jobs.Count == 0)
                {
                    return;
                }

                job = _jobs.Dequeue();
                _busy = true;
                write = !Abandoned && _failure == null;
            }

            try
            {
                if (write)
                {
                    job.Write();
                }
            }
            catch (Exception e)
            {
                // Nothing after this chunk is written.
                Fail(e);
            }
            finally
            {
                try
                {
                    job.Release();
                }
                catch (Exception e)
                {
                    // Unhandled here it would end the process.
                    Fail(e);
                }

                lock (_jobs)
                {
                    _busy = false;
                    _bytesInFlight -= job.Bytes;
                    Monitor.PulseAll(_jobs);
                }
            }
        }
    }

    /// <summary>Keeps the first failure for the writing thread, which throws it at its next call.</summary>
    private void Fail(Exception e)
    {
        lock (_jobs)
        {
            _failure ??= ExceptionDispatchInfo.Capture(e);
        }
    }

    private sealed record Job(Action Write, Action Release, long Bytes);
}
