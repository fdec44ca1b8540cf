namespace NeuroAlign.Hdf5.Tests;

public class ChunkWriteQueueTests
{
    [Fact]
    public void Submit_ManyChunks_WrittenInOrderOnOneOtherThreadAndEachReleased()
    {
        var written = new List<int>();
        var threads = new HashSet<int>();
        int released = 0;
        using (var queue = new ChunkWriteQueue())
        {
            for (int i = 0; i < 200; i++)
            {
                int chunk = i;
                queue.Submit(1 << 20, () =>
                {
                    written.Add(chunk);
                    threads.Add(Environment.CurrentManagedThreadId);
                }, () => Interlocked.Increment(ref released));
            }

            queue.Drain();
            Assert.Equal(Enumerable.Range(0, 200), written);
            Assert.Equal(200, released);
        }

        Assert.Single(threads);
        Assert.DoesNotContain(Environment.CurrentManagedThreadId, threads);
    }

    [Fact]
    public async Task Submit_QueueFull_ReturnsOnlyOnceAChunkIsWritten()
    {
        using var gate = new ManualResetEventSlim();
        using var queue = new ChunkWriteQueue();
        int written = 0;
        for (int i = 0; i < ChunkWriteQueue.MaxChunks; i++)
        {
            queue.Submit(1, () =>
            {
                gate.Wait();
                Interlocked.Increment(ref written);
            }, () => { });
        }

        // However late this task starts, the queue is full until a gated chunk is written.
        Task<int> extra = Task.Run(() =>
        {
            queue.Submit(1, () => { }, () => { });
            return Volatile.Read(ref written);
        });
        await Task.Delay(100);
        gate.Set();
        int writtenWhenSubmitReturned = await extra;
        queue.Drain();

        Assert.True(writtenWhenSubmitReturned >= 1);
        Assert.Equal(ChunkWriteQueue.MaxChunks, queue.PeakChunks);
    }

    [Fact]
    public async Task Submit_LargeChunks_ReturnsOnlyOnceTheBytesInFlightAllowIt()
    {
        long half = ChunkWriteQueue.MaxBytesInFlight / 2;
        using var gate = new ManualResetEventSlim();
        using var queue = new ChunkWriteQueue();
        int written = 0;
        queue.Submit(half, () =>
        {
            gate.Wait();
            Interlocked.Increment(ref written);
        }, () => { });
        queue.Submit(half, () => Interlocked.Increment(ref written), () => { });

        Task<int> third = Task.Run(() =>
        {
            queue.Submit(half, () => { }, () => { });
            return Volatile.Read(ref written);
        });
        await Task.Delay(100);
        gate.Set();
        int writtenWhenSubmitReturned = await third;
        queue.Drain();

        Assert.True(writtenWhenSubmitReturned >= 1);
        Assert.Equal(2, queue.PeakChunks);
    }

    [Fact]
    public void Submit_AfterDispose_Throws()
    {
        var queue = new ChunkWriteQueue();
        queue.Dispose();

        Assert.Throws<ObjectDisposedException>(() => queue.Submit(1, () => { }, () => { }));
    }

    [Fact]
    public void Drain_FailingRelease_SurfacesLikeAFailedWrite()
    {
        using var queue = new ChunkWriteQueue();
        queue.Submit(1, () => { }, () => throw new InvalidOperationException("release failed"));

        var e = Assert.Throws<InvalidOperationException>(queue.Drain);

        Assert.Equal("release failed", e.Message);
    }

    [Fact]
    public void Submit_OneChunkLargerThanTheBound_StillWritten()
    {
        bool written = false;
        using var queue = new ChunkWriteQueue();

        queue.Submit(ChunkWriteQueue.MaxBytesInFlight * 2, () => written = true, () => { });
        queue.Drain();

        Assert.True(written);
    }

    [Fact]
    public void Submit_AfterAFailedWrite_ThrowsItAndWritesNothingMore()
    {
        var written = new List<int>();
        int released = 0;
        using var queue = new ChunkWriteQueue();
        queue.Submit(1, () => throw new IOException("No space left on device"), () => Interlocked.Increment(ref released));

        var drained = Assert.Throws<IOException>(queue.Drain);
        var submitted = Assert.Throws<IOException>(() => queue.Submit(1, () => written.Add(1), () => Interlocked.Increment(ref released)));

        Assert.Equal("No space left on device", drained.Message);
        Assert.Same(drained, submitted);
        Assert.Empty(written);
        Assert.Equal(2, released);
    }

    [Fact]
    public async Task Abandon_ChunksWaiting_DroppedButReleasedAndNoFailureThrown()
    {
        var written = new List<int>();
        int released = 0;
        using var gate = new ManualResetEventSlim();
        using var queue = new ChunkWriteQueue();
        queue.Submit(1, () => gate.Wait(), () => Interlocked.Increment(ref released));
        for (int i = 0; i < 3; i++)
        {
            int chunk = i;
            queue.Submit(1, () => written.Add(chunk), () => Interlocked.Increment(ref released));
        }

        Task abandon = Task.Run(queue.Abandon);
        Assert.True(SpinWait.SpinUntil(() => queue.Abandoned, TimeSpan.FromSeconds(30)), "Abandon did not start");
        gate.Set();
        await abandon;
        queue.Submit(1, () => written.Add(99), () => Interlocked.Increment(ref released));
        queue.Drain();

        Assert.Empty(written);
        Assert.Equal(5, released);
    }
}
