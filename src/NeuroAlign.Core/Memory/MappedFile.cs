using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace NeuroAlign.Memory;

/// <summary>
/// A read-only memory mapping of a whole file. Acquires the pointer once and releases it in
/// <see cref="Dispose"/>; hands out <see cref="ReadOnlySpan{T}"/> windows. Pages are file-backed and
/// shared with the page cache, so private memory does not grow with the file's size. Spans are
/// int-length: long recordings are read window by window, never as one span.
/// </summary>
public sealed unsafe class MappedFile : IDisposable
{
    private readonly MemoryMappedFile? _mapping;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _pointer;

    private MappedFile(string path, long length, MemoryMappedFile? mapping, MemoryMappedViewAccessor? view, byte* pointer)
    {
        Path = path;
        LengthBytes = length;
        _mapping = mapping;
        _view = view;
        _pointer = pointer;
    }

    /// <summary>The mapped file's path.</summary>
    public string Path { get; }

    /// <summary>The file's size in bytes when it was mapped.</summary>
    public long LengthBytes { get; }

    /// <summary>Maps <paramref name="path"/> read-only. A missing or unreadable file is a <see cref="NeuroAlignException"/>.</summary>
    public static MappedFile OpenRead(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.None);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NeuroAlignException($"{path}: cannot open: {FileErrors.Describe(e)}", e);
        }

        long length = stream.Length;
        if (length == 0)
        {
            // An empty file cannot be mapped; it has no samples, which the caller reports.
            stream.Dispose();
            return new MappedFile(path, 0, null, null, null);
        }

        var mapping = MemoryMappedFile.CreateFromFile(stream, null, 0, MemoryMappedFileAccess.Read, HandleInheritability.None, leaveOpen: false);
        var view = mapping.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
        byte* pointer = null;
        view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        pointer += view.PointerOffset;
        return new MappedFile(path, length, mapping, view, pointer);
    }

    /// <summary>Bytes [offset, offset + count) of the file, without copying.</summary>
    public ReadOnlySpan<byte> GetSpan(long byteOffset, int count) => GetSpan<byte>(byteOffset, count);

    /// <summary>
    /// <paramref name="count"/> values of <typeparamref name="T"/> starting at <paramref name="byteOffset"/>, without copying.
    /// Values are in the machine's byte order: callers of big-endian files swap after copying.
    /// </summary>
    public ReadOnlySpan<T> GetSpan<T>(long byteOffset, int count)
        where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_pointer == null && LengthBytes != 0, this);
        long bytes = (long)count * sizeof(T);
        if (byteOffset < 0 || count < 0 || byteOffset + bytes > LengthBytes)
        {
            throw new ArgumentOutOfRangeException(
                nameof(byteOffset), $"bytes [{byteOffset}, {byteOffset + bytes}) are outside {Path} ({LengthBytes} bytes)");
        }

        return count == 0 ? [] : new ReadOnlySpan<T>(_pointer + byteOffset, count);
    }

    /// <summary>
    /// Bytes [offset, offset + count) of the file as memory over the mapping, without copying, for
    /// consumers that keep it past the call (a chunk written on another thread). It is valid until
    /// this mapping is disposed.
    /// </summary>
    public ReadOnlyMemory<byte> GetMemory(long byteOffset, int count)
    {
        ReadOnlySpan<byte> checkedRange = GetSpan(byteOffset, count);
        return checkedRange.IsEmpty ? ReadOnlyMemory<byte>.Empty : new MappedRange(this, byteOffset, _pointer + byteOffset, count).Memory;
    }

    /// <summary>
    /// When <paramref name="memory"/> came from <see cref="GetMemory"/>, unmaps its pages like
    /// <see cref="Release"/>, including the page it starts in (shared with the bytes before, which a
    /// sink writing in order is done with); otherwise does nothing. For consumers that read such
    /// memory on their own schedule, so that the resident size stays flat over a whole-file pass.
    /// </summary>
    public static void ReleaseMemory(ReadOnlyMemory<byte> memory)
    {
        if (MemoryMarshal.TryGetMemoryManager(memory, out MappedRange? range, out int start, out int length))
        {
            long page = Environment.SystemPageSize;
            long first = range.FileOffset + start;
            long from = first / page * page;
            range.Owner.Release(from, first + length - from);
        }
    }

    /// <summary>
    /// Maps every page of <paramref name="memory"/> (a window over a mapped recording) into the
    /// process in one call (MADV_POPULATE_READ, Linux 5.14+) before user code reads all of it, as a
    /// codec does: one page fault per 4 KiB page costs more than the codec's own pass over the bytes.
    /// A no-op for memory that is not a mapping; advisory, errors (older kernels) ignored.
    /// </summary>
    public static void PopulateMemory(ReadOnlyMemory<byte> memory)
    {
        if (MemoryMarshal.TryGetMemoryManager(memory, out MappedRange? range, out int start, out int length) && length > 0)
        {
            range.Owner.Populate(range.FileOffset + start, length);
        }
    }

    /// <summary>Tells the kernel a range will be read soon (MADV_WILLNEED); advisory, errors ignored.</summary>
    public void Prefetch(long byteOffset, long count) =>
        Advise(byteOffset, Math.Min(LengthBytes, byteOffset + count), wholePagesOnly: false, MadvWillNeed);

    /// <summary>
    /// Unmaps the pages wholly inside a range that was read and will not be read again soon
    /// (MADV_DONTNEED): the process's resident size stays flat over a whole-file scan. The file's
    /// pages stay in the page cache and fault back in if read again; advisory, errors ignored.
    /// </summary>
    public void Release(long byteOffset, long count) =>
        Advise(Math.Max(0, byteOffset), Math.Min(LengthBytes, byteOffset + count), wholePagesOnly: true, MadvDontNeed);

    private const int MadvWillNeed = 3;
    private const int MadvDontNeed = 4;
    private const int MadvPopulateRead = 22;

    private void Populate(long byteOffset, long count) =>
        Advise(byteOffset, Math.Min(LengthBytes, byteOffset + count), wholePagesOnly: false, MadvPopulateRead);

    /// <summary>
    /// madvise over [<paramref name="from"/>, <paramref name="to"/>) of the file: the pages that touch
    /// it, or with <paramref name="wholePagesOnly"/> (unmapping) only those wholly inside it. Advisory.
    /// </summary>
    private void Advise(long from, long to, bool wholePagesOnly, int advice)
    {
        if (_pointer == null || !OperatingSystem.IsLinux())
        {
            return;
        }

        long page = Environment.SystemPageSize;
        long start = wholePagesOnly ? (from + page - 1) / page * page : from / page * page;
        long end = wholePagesOnly ? to / page * page : to;
        if (end > start)
        {
            _ = NativeMethods.madvise((nint)(_pointer + start), (nuint)(end - start), advice);
        }
    }

    public void Dispose()
    {
        if (_pointer != null)
        {
            _view!.SafeMemoryMappedViewHandle.ReleasePointer();
            _pointer = null;
        }

        _view?.Dispose();
        _mapping?.Dispose();
    }

    private static partial class NativeMethods
    {
        [DllImport("libc", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        internal static extern int madvise(nint address, nuint length, int advice);
    }

    /// <summary>A range of the mapping as <see cref="Memory{T}"/>; the mapping, not this object, owns the bytes.</summary>
    private sealed unsafe class MappedRange(MappedFile owner, long fileOffset, byte* pointer, int length) : System.Buffers.MemoryManager<byte>
    {
        public MappedFile Owner => owner;

        public long FileOffset => fileOffset;

        public override Span<byte> GetSpan() => new(pointer, length);

        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }
}

/// <summary>Turns I/O exceptions into the short reason a user needs.</summary>
public static class FileErrors
{
    public static string Describe(Exception e) => e switch
    {
        FileNotFoundException => "no such file",
        DirectoryNotFoundException => "no such folder",
        UnauthorizedAccessException => "permission denied",
        _ => e.Message,
    };
}
