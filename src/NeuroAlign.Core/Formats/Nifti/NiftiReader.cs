using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using NeuroAlign.Formats.Bids;
using NeuroAlign.Memory;
using NeuroAlign.Streams;

namespace NeuroAlign.Formats.Nifti;

/// <summary>
/// Opens NIfTI-1 and NIfTI-2 images (.nii memory-mapped; .nii.gz decompressed once into a cache
/// file, then memory-mapped) with their timing from BIDS sidecars or the header.
/// </summary>
public static class NiftiReader
{
    /// <summary>The stream's format name.</summary>
    public const string FormatName = "nifti";

    /// <summary>Name of the one-time pass over a .nii.gz, part of its cache key.</summary>
    internal const string GunzipKind = "nifti-gunzip-1";

    /// <summary>Opens <paramref name="path"/> as a stream of volumes.</summary>
    /// <exception cref="InvalidRecordingException">The file or its sidecars are not what they claim.</exception>
    public static NiftiStream Open(string path, NiftiOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new NiftiOptions();
        var warnings = new WarningList(options.OnWarning);
        bool gzip = IsGzip(path);
        NiftiHeader header = ReadHeader(path, gzip, warnings);
        header = header.WithVoxOffset(header.EffectiveVoxOffset(path, warnings));

        DerivedFile? cache = null;
        string mappedPath = path;
        if (gzip)
        {
            cache = DerivedFileCache.GetOrCreate(
                path, GunzipKind, ".nii", options.CacheDirectory, header.ExpectedFileLengthBytes, (source, destination) => Gunzip(path, header, source, destination));
            mappedPath = cache.Path;
        }

        MappedFile file = MappedFile.OpenRead(mappedPath);
        try
        {
            CheckFits(path, header, file.LengthBytes, warnings);
            BidsMetadata sidecars = options.SidecarPath is not null
                ? BidsMetadata.FromFiles([options.SidecarPath])
                : options.UseSidecars ? BidsMetadata.Discover(path) : BidsMetadata.Empty;
            BoldTiming timing = BoldTiming.Resolve(path, header.VolumeCount, header.VolumeShape, header.GetRepetitionTime(), sidecars, warnings);
            int extensions = CountExtensions(path, file, header);
            return new NiftiStream(path, file, header, timing, sidecars, cache, extensions, warnings.Items);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>Reads and validates the header only (decompressing just its first bytes for a .nii.gz).</summary>
    public static NiftiHeader ReadHeader(string path) => ReadHeader(path, IsGzip(path), warnings: null);

    private static NiftiHeader ReadHeader(string path, bool gzip, ICollection<string>? warnings)
    {
        byte[] start = new byte[Nifti2Field.HeaderSize];
        int read;
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096);
            using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
            read = stream.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NeuroAlignException($"{path}: cannot open: {FileErrors.Describe(e)}", e);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidRecordingException(path, "gzip stream", $"corrupt compressed data ({e.Message.TrimEnd('.')})", "a valid gzip (RFC 1952) stream");
        }

        return NiftiHeader.Parse(start.AsSpan(0, read), path, warnings);
    }

    private static bool IsGzip(string path)
    {
        Span<byte> magic = stackalloc byte[2];
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            return file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic.SequenceEqual(NiftiCodes.GzipMagic);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new NeuroAlignException($"{path}: cannot open: {FileErrors.Describe(e)}", e);
        }
    }

    /// <summary>
    /// The one-time pass: decompresses the whole .nii.gz into the cache file. .NET's GZipStream ends
    /// quietly at a truncated input, so the result is checked against the header's size and the gzip
    /// trailer's ISIZE (RFC 1952 §2.3.1: the uncompressed size mod 2^32).
    /// </summary>
    private static void Gunzip(string path, NiftiHeader header, Stream source, Stream destination)
    {
        long total = 0;
        byte[] buffer = new byte[1 << 20];
        try
        {
            using var gzip = new GZipStream(source, CompressionMode.Decompress, leaveOpen: true);
            int n;
            while ((n = gzip.Read(buffer)) > 0)
            {
                destination.Write(buffer, 0, n);
                total += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new InvalidRecordingException(
                path, $"gzip stream after {total} decompressed bytes", $"corrupt compressed data ({e.Message.TrimEnd('.')})", "a valid gzip (RFC 1952) stream");
        }

        // A gzip member ends with CRC32 and ISIZE (RFC 1952 §2.3.1); zlib checks them only when it
        // reaches them, so a stream cut inside the trailer, or with bytes appended after it, ends
        // quietly. The last 4 bytes of the file must be the ISIZE of what was decompressed.
        long expected = header.ExpectedFileLengthBytes;
        Span<byte> trailer = stackalloc byte[4];
        long sourceLength = source.Length;
        uint isize = 0;
        bool haveTrailer = sourceLength >= 18;
        if (haveTrailer)
        {
            source.Seek(-4, SeekOrigin.End);
            source.ReadExactly(trailer);
            isize = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
        }

        if (haveTrailer && isize == (uint)total)
        {
            if (total < expected)
            {
                // The gzip stream is whole: the header's dimensions are what is wrong.
                throw DimsDoNotFit(path, header, total);
            }

            return;
        }

        string found = haveTrailer
            ? $"ISIZE {isize} in the last 4 bytes after {total} decompressed bytes"
            : $"a {sourceLength}-byte file, too short for a gzip header and trailer";
        throw new InvalidRecordingException(
            path,
            total < expected ? "gzip stream" : $"gzip trailer (byte {Math.Max(0, sourceLength - 4)})",
            found,
            total < expected
                ? $"{expected} decompressed bytes ({Layout(header)}) and a matching trailer: the .nii.gz is truncated"
                : $"ISIZE {(uint)total} (the decompressed size mod 2^32): the .nii.gz is cut inside its trailer, has bytes appended after it, or holds several gzip members");
    }

    private static void CheckFits(string path, NiftiHeader header, long lengthBytes, ICollection<string> warnings)
    {
        if (header.VoxOffset > lengthBytes)
        {
            throw new InvalidRecordingException(
                path,
                $"vox_offset (byte {(header.NiftiVersion == 1 ? Nifti1Field.vox_offset : Nifti2Field.vox_offset)})",
                header.VoxOffset.ToString(CultureInfo.InvariantCulture),
                $"an offset within the file's {lengthBytes} bytes: the voxels cannot start past its end");
        }

        long expected = header.ExpectedFileLengthBytes;
        if (lengthBytes < expected)
        {
            throw DimsDoNotFit(path, header, lengthBytes);
        }

        if (lengthBytes > expected)
        {
            warnings.Add($"{path}: {lengthBytes - expected} bytes after the last volume ({Layout(header)}) are ignored");
        }
    }

    private static InvalidRecordingException DimsDoNotFit(string path, NiftiHeader header, long lengthBytes) =>
        new(
            path,
            $"dim = [{string.Join(", ", header.Dim.Take((int)header.Dim[0] + 1))}]",
            $"{lengthBytes} bytes of data in the file",
            $"{header.ExpectedFileLengthBytes} ({Layout(header)}): the dimensions do not fit the file");

    private static string Layout(NiftiHeader header)
    {
        IReadOnlyList<int> s = header.VolumeShape;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"vox_offset {header.VoxOffset} + {header.VolumeCount} volumes × {s[0]}×{s[1]}×{s[2]} {header.ElementType.ToText()}");
    }

    /// <summary>
    /// NIfTI-1 §extensions: after the header, a 4-byte flag; if extension[0] is set, (esize, ecode,
    /// data) records up to vox_offset. A record running past vox_offset means the voxels would be
    /// read from inside it: one of the two is wrong, so the file is refused.
    /// </summary>
    private static int CountExtensions(string path, MappedFile file, NiftiHeader header)
    {
        long position = header.SizeofHdr;
        if (header.VoxOffset < position + 4 || file.GetSpan(position, 4)[0] == 0)
        {
            return 0;
        }

        position += 4;
        int count = 0;
        while (position + 8 <= header.VoxOffset)
        {
            ReadOnlySpan<byte> record = file.GetSpan(position, 8);
            int size = header.BigEndian ? BinaryPrimitives.ReadInt32BigEndian(record) : BinaryPrimitives.ReadInt32LittleEndian(record);
            if (size < 8)
            {
                break;
            }

            if (position + size > header.VoxOffset)
            {
                throw new InvalidRecordingException(
                    path,
                    $"extension {count} esize (byte {position})",
                    $"{size} bytes, ending at byte {position + size}",
                    $"a record ending at or before vox_offset {header.VoxOffset}: the voxels would be read from inside the extension");
            }

            count++;
            position += size;
        }

        return count;
    }

    /// <summary>Collects warnings and forwards each to the caller's callback as it comes.</summary>
    private sealed class WarningList(Action<string>? onWarning) : ICollection<string>
    {
        private readonly List<string> _items = [];

        public IReadOnlyList<string> Items => _items;

        public int Count => _items.Count;

        public bool IsReadOnly => false;

        public void Add(string item)
        {
            _items.Add(item);
            onWarning?.Invoke(item);
        }

        public void Clear() => _items.Clear();

        public bool Contains(string item) => _items.Contains(item);

        public void CopyTo(string[] array, int arrayIndex) => _items.CopyTo(array, arrayIndex);

        public bool Remove(string item) => _items.Remove(item);

        public IEnumerator<string> GetEnumerator() => _items.GetEnumerator();

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
