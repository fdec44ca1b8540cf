using NeuroAlign.Hdf5.Compression;
using NeuroAlign.TestData;
using PureHDF;
using PureHDF.Filters;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5.Tests;

/// <summary>
/// One test per PureHDF behaviour listed in <see cref="PureHdfInternals"/>: each fails naming its
/// item when a PureHDF upgrade changes what the sink relies on.
/// </summary>
public class PureHdfInternalsTests
{
    private const int ChunkInts = 1000;

    private static string Item(string name) => $"PureHdfInternals item {name}: PureHDF {typeof(H5File).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false).OfType<System.Reflection.AssemblyInformationalVersionAttribute>().FirstOrDefault()?.InformationalVersion} no longer behaves as the sink relies on";

    /// <summary>A cache that holds every chunk and writes none until Flush, then all with their own delegates, last chunk first.</summary>
    private sealed class DeferringCache : IWritingChunkCache
    {
        private readonly List<(ulong Index, Memory<byte> Chunk, Action<ulong, Memory<byte>> Writer)> _held = [];

        public List<ulong> Asked { get; } = [];

        public int Flushes { get; private set; }

        public Memory<byte> GetChunk(ulong chunkIndex, Func<Memory<byte>> chunkAllocator, Action<ulong, Memory<byte>> chunkWriter)
        {
            int at = _held.FindIndex(h => h.Index == chunkIndex);
            if (at >= 0)
            {
                return _held[at].Chunk;
            }

            Asked.Add(chunkIndex);
            Memory<byte> chunk = chunkAllocator();
            _held.Add((chunkIndex, chunk, chunkWriter));
            return chunk;
        }

        public void Flush(Action<ulong, Memory<byte>> chunkWriter)
        {
            Flushes++;
            foreach (var (index, chunk, writer) in Enumerable.Reverse(_held))
            {
                PureHdfInternals.WriteChunk(writer, index, chunk);
            }

            // PureHDF 2.2 calls Flush more than once per dataset; a chunk is written once.
            _held.Clear();
        }
    }

    private static int[] Values(int count) => Enumerable.Range(0, count).Select(i => (i * 7) - 3000).ToArray();

    private static int[] ReadBack(string path) => H5File.OpenRead(path) is var file ? ReadAndClose(file) : [];

    private static int[] ReadAndClose(NativeFile file)
    {
        using (file)
        {
            return file.Dataset("x").Read<int[]>();
        }
    }

    [Fact]
    public void ObjectHeaderAddress_PointsAtTheDatasetsObjectHeader()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.h5");
        new H5File { ["x"] = Values(10), ["y"] = Values(20) }.Write(path);
        using NativeFile file = H5File.OpenRead(path);

        ulong? x = PureHdfInternals.ObjectHeaderAddress((NativeObject)file.Dataset("x"));
        ulong? y = PureHdfInternals.ObjectHeaderAddress((NativeObject)file.Dataset("y"));

        Assert.True(x is not null && y is not null && x != y, Item("ObjectHeaderAddress") + ": no address");
        byte[] bytes = File.ReadAllBytes(path);
        foreach (ulong at in new[] { x!.Value, y!.Value })
        {
            // PureHDF writes version 2 object headers ("OHDR") and a superblock at byte 0 (base address 0).
            Assert.True(bytes.AsSpan((int)at, 4).SequenceEqual("OHDR"u8), Item("ObjectHeaderAddress") + $": no object header at {at}");
        }
    }

    [Fact]
    public void ChunkWriterPerChunk_And_FlushBeforeIndex_ChunksWrittenLateWithTheirOwnDelegatesReadBack()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.h5");
        var cache = new DeferringCache();
        var dataset = new H5Dataset<int[]>([4 * ChunkInts], [ChunkInts], new H5DatasetCreation(ChunkCache: cache, Filters: []));
        using (H5NativeWriter writer = new H5File { ["x"] = dataset }.BeginWrite(path))
        {
            writer.Write(dataset, Values(4 * ChunkInts), fileSelection: new HyperslabSelection(0, 4 * ChunkInts));
        }

        Assert.True(cache.Flushes >= 1, Item("FlushBeforeIndex") + ": Flush was not called");
        Assert.True(Values(4 * ChunkInts).SequenceEqual(ReadBack(path)), Item("ChunkWriterPerChunk") + ": chunks written later with their own delegates do not read back");
    }

    /// <summary>Hands out a scratch chunk and writes <see cref="Source"/> in its place (the sink's direct chunk write).</summary>
    private sealed class SourceCache(byte[] source) : IWritingChunkCache
    {
        private Action<ulong, Memory<byte>>? _writer;
        private ulong _index;

        public byte[] Source { get; } = source;

        public List<ulong> Asked { get; } = [];

        public Memory<byte> GetChunk(ulong chunkIndex, Func<Memory<byte>> chunkAllocator, Action<ulong, Memory<byte>> chunkWriter)
        {
            Asked.Add(chunkIndex);
            (_index, _writer) = (chunkIndex, chunkWriter);
            return chunkAllocator();
        }

        public void Flush(Action<ulong, Memory<byte>> chunkWriter)
        {
            if (_writer != null)
            {
                PureHdfInternals.WriteChunk(_writer, _index, Source);
            }
        }
    }

    [Fact]
    public void OneElementAsksForItsChunk_OneGetChunkAndTheCachesBytesStored()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.h5");
        int[] source = Values(ChunkInts);
        var cache = new SourceCache(System.Runtime.InteropServices.MemoryMarshal.AsBytes(source.AsSpan()).ToArray());
        var dataset = new H5Dataset<int[]>([4 * ChunkInts], [ChunkInts], new H5DatasetCreation(ChunkCache: cache, Filters: []));
        using (H5NativeWriter writer = new H5File { ["x"] = dataset }.BeginWrite(path))
        {
            // One element of chunk 2; its value lands in the scratch chunk nobody writes.
            PureHdfInternals.AskForChunk(selection => writer.Write(dataset, [123456], fileSelection: selection), [(2 * ChunkInts) + 17]);
        }

        Assert.True(cache.Asked.SequenceEqual([2UL]), Item("OneElementAsksForItsChunk") + $": chunks asked for [{string.Join(", ", cache.Asked)}], expected [2]");
        Assert.True(source.SequenceEqual(ReadBack(path).Skip(2 * ChunkInts).Take(ChunkInts)), Item("OneElementAsksForItsChunk") + ": the bytes given to the chunk's writer are not what the file holds");
    }

    /// <summary>An identity filter (id 32700, unregistered with the HDF Group) that records how PureHDF calls it.</summary>
    private sealed class ProbeFilter : IH5Filter
    {
        public const ushort Id = 32700;

        public static readonly List<(int Thread, bool PassingThrough, bool Decompress, uint[] Parameters)> Calls = [];

        public ushort FilterId => Id;

        public string Name => "neuroalign-probe";

        public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options) => [7, 8, 9];

        public Memory<byte> Filter(FilterInfo info)
        {
            lock (Calls)
            {
                Calls.Add((Environment.CurrentManagedThreadId, PureHdfInternals.PassingThrough, info.Flags.HasFlag(H5FilterFlags.Decompress), info.Parameters));
            }

            return info.Buffer;
        }
    }

    /// <summary>Writes each chunk when the next is asked for, inside <see cref="PureHdfInternals.PassThrough"/>, as CompressingChunkCache does.</summary>
    private sealed class PassThroughCache : IWritingChunkCache
    {
        private Action<ulong, Memory<byte>>? _writer;
        private ulong _index;
        private Memory<byte> _chunk;

        public Memory<byte> GetChunk(ulong chunkIndex, Func<Memory<byte>> chunkAllocator, Action<ulong, Memory<byte>> chunkWriter)
        {
            if (_writer != null && chunkIndex == _index)
            {
                return _chunk;
            }

            Write();
            (_index, _chunk, _writer) = (chunkIndex, chunkAllocator(), chunkWriter);
            return _chunk;
        }

        public void Flush(Action<ulong, Memory<byte>> chunkWriter) => Write();

        private void Write()
        {
            if (_writer is { } writer)
            {
                (ulong index, Memory<byte> chunk) = (_index, _chunk);
                PureHdfInternals.PassThrough(() => PureHdfInternals.WriteChunk(writer, index, chunk));
                _writer = null;
            }
        }
    }

    [Fact]
    public void FiltersOnTheWritingThread_And_ParametersAreClientData()
    {
        PureHdfInternals.RegisterFilter(new ProbeFilter());
        lock (ProbeFilter.Calls)
        {
            ProbeFilter.Calls.Clear();
        }

        using var folder = new TempFolder();
        string path = folder.File("x.h5");
        var dataset = new H5Dataset<int[]>([3 * ChunkInts], [ChunkInts], new H5DatasetCreation(ChunkCache: new PassThroughCache(), Filters: [new H5Filter(ProbeFilter.Id)]));
        using (H5NativeWriter writer = new H5File { ["x"] = dataset }.BeginWrite(path))
        {
            writer.Write(dataset, Values(3 * ChunkInts), fileSelection: new HyperslabSelection(0, 3 * ChunkInts));
        }

        int thread = Environment.CurrentManagedThreadId;
        var writes = ProbeFilter.Calls.Where(c => !c.Decompress).ToList();
        Assert.True(writes.Count == 3, Item("FiltersOnTheWritingThread") + $": the filter ran {writes.Count} times for 3 chunks");
        Assert.True(writes.All(c => c.Thread == thread && c.PassingThrough), Item("FiltersOnTheWritingThread") + ": the filter did not run inside the chunk writer call on the writing thread");

        Assert.True(Values(3 * ChunkInts).SequenceEqual(ReadBack(path)), Item("ParametersAreClientData") + ": the file does not read back");
        var reads = ProbeFilter.Calls.Where(c => c.Decompress).ToList();
        Assert.True(reads.Count == 3 && reads.All(c => c.Parameters.SequenceEqual([7u, 8u, 9u])), Item("ParametersAreClientData") + $": reading got parameters [{string.Join("; ", reads.Select(c => string.Join(", ", c.Parameters)))}], expected [7, 8, 9] per chunk");
    }

    [Fact]
    public void BuiltinDeflateLevels_PureHdfsOwnDeflateStillFailsAtLevel3()
    {
        // If this starts passing, PureHDF's deflate compresses at every level: AnyLevelDeflate may go.
        byte[] chunk = new byte[4096];
        Exception? failure = Record.Exception(() => new DeflateFilter().Filter(new FilterInfo(H5FilterFlags.None, [3], chunk.Length, chunk)));

        Assert.True(failure != null, Item("BuiltinDeflateLevels") + ": its deflate now compresses at level 3; ChunkFilters.AnyLevelDeflate can be dropped");
    }

    [Fact]
    public void RegisterReplacesBuiltin_PureHdfsPipelineUsesOurDeflateAtLevel3()
    {
        ChunkFilters.EnsureRegistered();
        using var folder = new TempFolder();
        string path = folder.File("x.h5");
        var dataset = new H5Dataset<int[]>([3 * ChunkInts], [ChunkInts], new H5DatasetCreation(Filters: [new H5Filter(DeflateFilter.Id, new() { [DeflateFilter.COMPRESSION_LEVEL] = 3 })]));
        Exception? failure = Record.Exception(() =>
        {
            using H5NativeWriter writer = new H5File { ["x"] = dataset }.BeginWrite(path);
            writer.Write(dataset, Values(3 * ChunkInts), fileSelection: new HyperslabSelection(0, 3 * ChunkInts));
        });

        Assert.True(failure == null, Item("RegisterReplacesBuiltin") + $": writing deflate level 3 through PureHDF's pipeline failed ({failure?.GetType().Name}: {failure?.Message})");
        Assert.True(Values(3 * ChunkInts).SequenceEqual(ReadBack(path)), Item("RegisterReplacesBuiltin") + ": the file does not read back");
    }

    /// <summary>Fails at the first chunk asked for, as a full disk fails a write.</summary>
    private sealed class FailingCache : IWritingChunkCache
    {
        public Memory<byte> GetChunk(ulong chunkIndex, Func<Memory<byte>> chunkAllocator, Action<ulong, Memory<byte>> chunkWriter) =>
            throw new IOException("No space left on device");

        public void Flush(Action<ulong, Memory<byte>> chunkWriter)
        {
        }
    }

    [Fact]
    public void WrappedIoErrors_AnIoErrorInAWriteUnwrapsToItself()
    {
        using var folder = new TempFolder();
        var dataset = new H5Dataset<int[]>([ChunkInts], [ChunkInts], new H5DatasetCreation(ChunkCache: new FailingCache(), Filters: []));
        H5NativeWriter writer = new H5File { ["x"] = dataset }.BeginWrite(folder.File("x.h5"));
        Exception? failure = Record.Exception(() => writer.Write(dataset, Values(ChunkInts), fileSelection: new HyperslabSelection(0, ChunkInts)));
        try
        {
            writer.Dispose();
        }
        catch (IOException)
        {
        }

        Assert.True(failure != null && PureHdfInternals.Unwrap(failure) is IOException { Message: "No space left on device" }, Item("WrappedIoErrors") + $": the write threw {failure?.GetType().Name}, which does not unwrap to the IOException");
    }
}
