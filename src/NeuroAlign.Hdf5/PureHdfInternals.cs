using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using PureHDF.Filters;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5;

/// <summary>
/// Every place NeuroAlign.Hdf5 relies on how PureHDF 2.2.0 behaves beyond what its public API
/// promises. Each item says what it relies on and why; <c>PureHdfInternalsTests</c> checks each
/// one by name, so an upgrade that changes one fails that test, not an export in the field.
/// Nothing here but <b>ObjectHeaderAddress</b> uses reflection or PureHDF's internal types: the other reaches are behaviours.
/// <list type="number">
/// <item><b>ChunkWriterPerChunk</b>: the writer delegate PureHDF hands a writing chunk cache with
/// chunk K writes chunk K's place when called with K, at any later time before the cache's
/// <c>Flush</c> returns. Our caches hold a chunk and write it when the next is asked for, or on a
/// worker's schedule. (A later call's delegate ignores the index it is given and writes its own
/// chunk's place, so each chunk's own delegate is kept with it: <see cref="WriteChunk"/>.)</item>
/// <item><b>FlushBeforeIndex</b>: <c>IWritingChunkCache.Flush</c> is called (more than once, so
/// it must be idempotent) when the file is disposed, before PureHDF writes the dataset's chunk
/// index, so chunks still held
/// (or queued on the writer thread, or being compressed) can be written then.</item>
/// <item><b>OneElementAsksForItsChunk</b>: writing one element through a hyperslab makes PureHDF
/// ask the cache for exactly that element's chunk (one <c>GetChunk</c> with its index) and later
/// store whatever bytes the cache passes to that chunk's writer. The sink writes whole-slice chunks
/// straight from a window's memory this way (<see cref="AskForChunk"/>): uncompressed from the
/// recording or the window's buffer, compressed from either. PureHDF 2.2 has no direct chunk write.</item>
/// <item><b>FiltersOnTheWritingThread</b>: PureHDF runs a dataset's filter pipeline inside the
/// chunk writer delegate, synchronously, on the thread that calls it. Chunks are compressed on
/// workers beforehand and the registered filters pass the finished bytes through while
/// <see cref="PassThrough"/> runs on that thread; a per-thread flag keeps any other use of
/// PureHDF in the process unaffected.</item>
/// <item><b>RegisterReplacesBuiltin</b>: <see cref="H5Filter.Register"/> with the id of a built-in
/// filter (1 deflate, 2 shuffle) replaces it for writing and reading. PureHDF's deflate fails at
/// levels 2–5, 7 and 8 (<b>BuiltinDeflateLevels</b>), and its shuffle must pass our bytes through.</item>
/// <item><b>ParametersAreClientData</b>: what a filter's <c>GetParameters</c> returns is stored as
/// the filter's cd_values, and comes back as <see cref="FilterInfo.Parameters"/> when a chunk is
/// read: the reference plugins (and our decoders) read their settings from there.</item>
/// <item><b>WrappedIoErrors</b>: PureHDF calls its generic writers through reflection, so an I/O
/// error from a write arrives wrapped in <see cref="TargetInvocationException"/>
/// (<see cref="Unwrap"/>).</item>
/// <item><b>ObjectHeaderAddress</b>: a <see cref="NativeObject"/>'s internal <c>Reference.Value</c>
/// is the address of its object header (relative to the file's base address). PureHDF 2.2 has no
/// public way to find it, and the NWB series reader needs it to read a dataset's chunk index itself
/// (<see cref="Nwb.DeflateChunkReader"/>). The one reach by reflection; when it fails (null), the
/// series is read through PureHDF as before.</item>
/// </list>
/// Two more behaviours shape the design without code depending on them: PureHDF's default writing
/// cache keeps every chunk until the file closes (out of memory on large exports), and attributes
/// are written at <c>BeginWrite</c> (architecture.md, departure 1).
/// </summary>
internal static class PureHdfInternals
{
    [ThreadStatic]
    private static bool t_passThrough;

    /// <summary>True while <see cref="PassThrough"/> runs on this thread: filters leave chunk bytes as they are (FiltersOnTheWritingThread).</summary>
    public static bool PassingThrough => t_passThrough;

    /// <summary>Registers a filter in PureHDF's process-wide registry, replacing a built-in one of the same id (RegisterReplacesBuiltin).</summary>
    public static void RegisterFilter(IH5Filter filter) => H5Filter.Register(filter);

    /// <summary>Runs <paramref name="write"/> (a chunk writer call) with the registered filters passing bytes through, on this thread only (FiltersOnTheWritingThread).</summary>
    public static void PassThrough(Action write)
    {
        ArgumentNullException.ThrowIfNull(write);
        t_passThrough = true;
        try
        {
            write();
        }
        finally
        {
            t_passThrough = false;
        }
    }

    /// <summary>Writes chunk <paramref name="index"/> with the delegate PureHDF gave with that chunk (ChunkWriterPerChunk).</summary>
    public static void WriteChunk(Action<ulong, Memory<byte>> chunkWriter, ulong index, Memory<byte> bytes)
    {
        ArgumentNullException.ThrowIfNull(chunkWriter);
        chunkWriter(index, bytes);
    }

    /// <summary>
    /// Makes PureHDF ask a dataset's cache for the chunk holding the element at
    /// <paramref name="start"/>: <paramref name="writeOneElement"/> writes one element to the
    /// selection it is given (OneElementAsksForItsChunk).
    /// </summary>
    public static void AskForChunk(Action<Selection> writeOneElement, ulong[] start)
    {
        ArgumentNullException.ThrowIfNull(writeOneElement);
        ArgumentNullException.ThrowIfNull(start);
        ulong[] block = Enumerable.Repeat(1UL, start.Length).ToArray();
        writeOneElement(new HyperslabSelection(start.Length, start, block));
    }

    /// <summary>The address of <paramref name="item"/>'s object header relative to the file's base address, or null when this PureHDF keeps it elsewhere (ObjectHeaderAddress).</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "PureHDF's types are kept whole in the trimmed binary (partial trimming, scripts/publish.sh); if the property were gone this returns null and PureHDF reads the dataset")]
    public static ulong? ObjectHeaderAddress(NativeObject item)
    {
        ArgumentNullException.ThrowIfNull(item);
        try
        {
            object? reference = typeof(NativeObject).GetProperty("Reference", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(item);
            return reference?.GetType().GetProperty("Value", BindingFlags.Instance | BindingFlags.Public)?.GetValue(reference) as ulong?;
        }
        catch (Exception e) when (e is TargetInvocationException or MemberAccessException or AmbiguousMatchException)
        {
            return null;
        }
    }

    /// <summary>The exception a PureHDF call threw, without the reflection wrappers (WrappedIoErrors).</summary>
    public static Exception Unwrap(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        Exception e = exception;
        while (e is TargetInvocationException { InnerException: { } inner })
        {
            e = inner;
        }

        return e;
    }
}
