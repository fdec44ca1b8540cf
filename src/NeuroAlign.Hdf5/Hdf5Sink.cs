using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using NeuroAlign.Alignment;
using NeuroAlign.Hdf5.Compression;
using NeuroAlign.Memory;
using NeuroAlign.Sessions;
using NeuroAlign.Streams;
using PureHDF;
using PureHDF.Filters;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5;

/// <summary>
/// Writes aligned windows to one HDF5 file (<see cref="OutputSchema"/>, docs/output-format.md), streaming window by
/// window with bounded memory. The file is written under a temporary name beside the output and
/// renamed when complete, so an interrupted export never leaves a file that looks finished.
/// Compressed chunks are encoded on worker threads, one per core by default
/// (<see cref="Hdf5SinkOptions.CompressionThreads"/>), and written in order on the calling thread:
/// <see cref="Write"/> returns once its window's chunks are compressed (the window's memory is not
/// read after), and their bytes are written during the next call, while that window's chunks are
/// compressed. Chunk memory is rented (<see cref="ChunkBuffers"/>), not allocated per export.
/// </summary>
public sealed partial class Hdf5Sink : IAlignedSink
{
    /// <summary>Chunks of per-point datasets (timestamps, indices) hold about this many bytes.</summary>
    private const long SmallChunkBytes = 1 << 20;

    /// <summary>Data chunks hold about this many bytes: several windows when windows are small, one when large.</summary>
    private const long DataChunkBytes = 8 << 20;

    private readonly string _outputPath;
    private readonly string _temporaryPath;
    private readonly Hdf5SinkOptions _options;
    private readonly bool _replaceExisting;
    private readonly List<ModalityDatasets> _modalities = [];
    private H5NativeWriter? _writer;
    private ChunkCompressor? _compressor;
    private ChunkWriteQueue? _writeQueue;
    private bool _completed;

    /// <param name="outputPath">The file to publish; an existing file is replaced only when the export completes.</param>
    /// <param name="options">Compression; null for the default (gzip 1 + shuffle, compressed on every core).</param>
    /// <param name="replaceExisting">
    /// False when no file was there when the output was checked: one that appears while the export
    /// runs (another process given the same output, an array job's shards started at once) is kept
    /// and the export fails, instead of one silently replacing the other.
    /// </param>
    public Hdf5Sink(string outputPath, Hdf5SinkOptions? options = null, bool replaceExisting = true)
    {
        ArgumentNullException.ThrowIfNull(outputPath);
        CheckOutputPath(outputPath);
        _outputPath = Path.GetFullPath(outputPath);
        _temporaryPath = Path.Combine(
            Path.GetDirectoryName(_outputPath)!, $".{Path.GetFileName(_outputPath)}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial");
        _options = options ?? new Hdf5SinkOptions();
        _options.Validate();
        _replaceExisting = replaceExisting;

        ArgumentOutOfRangeException.ThrowIfNegative(_options.CompressionThreads);
    }

    /// <summary>The temporary file being written (for tests and diagnostics).</summary>
    public string TemporaryPath => _temporaryPath;

    /// <summary>The most chunks that were being compressed at once (for tests and diagnostics; 0 when uncompressed or serial).</summary>
    public int PeakChunksInFlight => _compressor?.PeakJobs ?? 0;

    /// <summary>Data chunks written straight from the recording's memory, without a copy (for tests and diagnostics).</summary>
    public int ChunksWrittenFromSource { get; private set; }

    /// <summary>Windows that are runs of a mapped recording come as memory over it (<see cref="WindowBuffer.SourceData"/>).</summary>
    public bool TakesSourceData => true;

    /// <summary>Checks, before any work, that the output can be written where the user asked.</summary>
    public static void CheckOutputPath(string outputPath)
    {
        ArgumentNullException.ThrowIfNull(outputPath);
        string full = Path.GetFullPath(outputPath);
        string? folder = Path.GetDirectoryName(full);
        if (Directory.Exists(full))
        {
            throw new NeuroAlignException($"{ExportSettings.Out} {outputPath}: is a folder; expected a file name such as {Path.Combine(outputPath, "aligned.h5")}");
        }

        if (folder == null || !Directory.Exists(folder))
        {
            throw new NeuroAlignException($"{ExportSettings.Out} {outputPath}: no such folder {folder}");
        }
    }

    /// <summary>
    /// <see cref="CheckOutputPath"/>, then Core's <see cref="OutputGuard"/>: the output is none of
    /// <paramref name="inputs"/> (by identity), and an existing file that is not a NeuroAlign output
    /// is replaced only with <paramref name="overwrite"/>.
    /// </summary>
    /// <param name="outputPath">The output file.</param>
    /// <param name="inputs">Every path the command reads.</param>
    /// <param name="overwrite">The user's <see cref="ExportSettings.Overwrite"/>.</param>
    /// <param name="what">How the output is named in messages; null: the output setting and the path.</param>
    public static void CheckOutput(string outputPath, IEnumerable<string> inputs, bool overwrite, string? what = null)
    {
        CheckOutputPath(outputPath);
        OutputGuard.Check(outputPath, inputs, overwrite, ExportFileReader.IsNeuroAlignOutput, what ?? $"option {ExportSettings.Out} {Printable.Escape(outputPath)}");
    }

    /// <summary>Whether a file name is one of this sink's temporaries (<c>.NAME.PID.ID.partial</c>).</summary>
    public static bool IsTemporaryName(string fileName) => TemporaryName().IsMatch(fileName);

    public void Begin(ExportLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (_writer != null)
        {
            throw new InvalidOperationException("Begin was already called");
        }

        int windows = layout.WindowTimes.Count;
        if (_options.Codec != CompressionCodec.None)
        {
            _compressor = new ChunkCompressor(_options.EffectiveCompressionThreads);
        }

        var file = new H5File();
        AddAttributes(file.Attributes, layout.RootAttributes);
        var windowsGroup = new H5Group { [OutputSchema.WindowTime] = layout.WindowTimes.ToArray() };
        foreach (WindowLabel label in layout.WindowLabels)
        {
            // Labels are one value per window, small: written whole, like the times.
            windowsGroup[label.Name] = label.Values;
        }

        file[OutputSchema.WindowsGroup] = windowsGroup;

        foreach (ModalityLayout m in layout.Modalities)
        {
            var group = new H5Group();
            AddAttributes(group.Attributes, m.Attributes);
            ulong[] pointDims = [(ulong)windows, (ulong)m.PointsPerWindow];
            uint[] pointChunks = [ChunkWindows(windows, m.PointsPerWindow * 8L, SmallChunkBytes), (uint)m.PointsPerWindow];
            ulong[] dataDims = [.. pointDims, .. m.SampleShape.Select(d => (ulong)d)];
            long windowBytes = m.ElementsPerWindow * m.DataType.SizeOf();
            uint[] dataChunks = [ChunkWindows(windows, windowBytes, DataChunkBytes), ChunkPoints(m.PointsPerWindow, windowBytes, DataChunkBytes), .. m.SampleShape.Select(d => (uint)d)];

            // With a filter: the mask has the data's shape and chunks (1 = passes), and the kept
            // fraction of each window is a dataset too, since attributes are written before the data.
            uint[] windowChunks = [ChunkWindows(windows, 8, SmallChunkBytes)];
            H5DatasetCreation dataCreation = Creation(m.DataType.SizeOf(), dataChunks);
            H5DatasetCreation? maskCreation = m.HasMask ? Creation(1, dataChunks) : null;
            H5DatasetCreation timestamps = Creation(8, pointChunks), sourceIndex = Creation(8, pointChunks), sourceTime = Creation(8, pointChunks);
            H5DatasetCreation? keptFraction = m.HasMask ? Creation(8, windowChunks) : null;
            var datasets = new ModalityDatasets(
                CreateData(m.DataType, dataDims, dataChunks, dataCreation),
                new H5Dataset<double[]>(pointDims, pointChunks, timestamps),
                new H5Dataset<long[]>(pointDims, pointChunks, sourceIndex),
                new H5Dataset<double[]>(pointDims, pointChunks, sourceTime),
                dataDims,
                maskCreation is { } mc ? new H5Dataset<byte[]>(dataDims, dataChunks, mc) : null,
                keptFraction is { } kc ? new H5Dataset<double[]>([(ulong)windows], windowChunks, kc) : null)
            {
                // A window's row of each per-point dataset, and its kept fraction, are copied into the chunk being filled.
                TimestampRows = new ChunkRows(timestamps, pointChunks[0], m.PointsPerWindow * 8, 2, new double[1]),
                SourceIndexRows = new ChunkRows(sourceIndex, pointChunks[0], m.PointsPerWindow * 8, 2, new long[1]),
                SourceTimeRows = new ChunkRows(sourceTime, pointChunks[0], m.PointsPerWindow * 8, 2, new double[1]),
                KeptFractionRows = keptFraction is { } k ? new ChunkRows(k, windowChunks[0], 8, 1, new double[1]) : null,

                // Uncompressed chunks that are whole slices of a window go out straight from the recording.
                SourceChunks = dataCreation.ChunkCache is SequentialChunkCache cache && dataChunks[0] == 1 && m.PointsPerWindow % dataChunks[1] == 0
                    ? new SourceChunkWriter(cache, (int)dataChunks[1], WindowBuffer.NewArray(m.DataType, 1))
                    : null,

                // Compressed chunks that are whole slices of a window are compressed straight from it.
                CompressedChunks = dataCreation.ChunkCache is CompressingChunkCache compressing && dataChunks[0] == 1 && m.PointsPerWindow % dataChunks[1] == 0
                    ? new CompressedChunkWriter(compressing, (int)dataChunks[1], WindowBuffer.NewArray(m.DataType, 1))
                    : null,
            };
            if (dataChunks[0] > 1 && dataChunks[1] == m.PointsPerWindow)
            {
                // Small windows (pose, tables, physio, binned spikes): several whole windows per chunk, each copied in.
                datasets = datasets with
                {
                    DataRows = new ChunkRows(dataCreation, dataChunks[0], checked((int)windowBytes), dataDims.Length, WindowBuffer.NewArray(m.DataType, 1)),
                    MaskRows = maskCreation is { } mask ? new ChunkRows(mask, dataChunks[0], checked((int)m.ElementsPerWindow), dataDims.Length, new byte[1]) : null,
                };
            }

            group[m.DataName] = datasets.Data;
            group[OutputSchema.Timestamps] = datasets.Timestamps;
            group[OutputSchema.SourceIndex] = datasets.SourceIndex;
            group[OutputSchema.SourceTime] = datasets.SourceTime;
            if (datasets.Mask is not null && datasets.KeptFraction is not null)
            {
                group[OutputSchema.Mask] = datasets.Mask;
                group[OutputSchema.KeptFraction] = datasets.KeptFraction;
            }

            foreach (var (name, values) in m.ExtraDatasets)
            {
                group[name] = values;
            }

            if (m.Ragged is { } ragged)
            {
                datasets.Ragged = AddRagged(group, ragged);
            }

            file[m.Name] = group;
            _modalities.Add(datasets);
        }

        // /sync/<m>: how each fitted stream's clock was tied to the reference (output contract).
        // PureHDF writes attributes at BeginWrite, so the fits are known before the first window.
        if (layout.Modalities.Any(m => m.SyncAttributes != null))
        {
            var sync = new H5Group();
            foreach (ModalityLayout m in layout.Modalities.Where(m => m.SyncAttributes != null))
            {
                var group = new H5Group();
                AddAttributes(group.Attributes, m.SyncAttributes!);
                foreach (var (name, values) in m.SyncDatasets ?? new Dictionary<string, Array>())
                {
                    group[name] = values;
                }
                sync[m.Name] = group;
            }

            file[OutputSchema.SyncGroup] = sync;
        }

        try
        {
            _writer = Unwrapped(() => file.BeginWrite(_temporaryPath));
        }
        catch (NeuroAlignException)
        {
            TryDelete(_temporaryPath);
            throw;
        }
    }

    public void Write(int windowIndex, int modalityIndex, WindowBuffer window)
    {
        ArgumentNullException.ThrowIfNull(window);
        H5NativeWriter writer = _writer ?? throw new InvalidOperationException("Begin was not called");
        ModalityDatasets d = _modalities[modalityIndex];
        ulong w = (ulong)windowIndex;
        if ((ulong)window.Timestamps.Length != d.DataDims[1])
        {
            // Rows are copied into the chunks as whole windows: a buffer of another shape would shift every later window.
            throw new ArgumentException($"window {windowIndex} of modality {modalityIndex} has {window.Timestamps.Length} points; the layout has {d.DataDims[1]}", nameof(window));
        }

        ulong[] start = new ulong[d.DataRank];
        start[0] = w;
        ulong[] block = [1, .. d.DataDims.Skip(1)];
        var windowSlab = new HyperslabSelection(d.DataRank, start, block);
        byte[]? mask = null;
        if (d.Mask is not null)
        {
            mask = window.Mask ?? throw new ArgumentException($"modality {modalityIndex} has a mask, but window {windowIndex} carries none", nameof(window));
        }

        Unwrapped(() =>
        {
            try
            {
                WriteWindow(writer, d, windowIndex, modalityIndex, window, windowSlab, mask);
            }
            catch
            {
                // Chunks of this window may still be compressed or written from its memory, which
                // the caller takes back when this throws: stop them first (the export is lost anyway).
                _compressor?.Abandon();
                _writeQueue?.Abandon();
                throw;
            }

            return 0;
        });
    }

    /// <summary>
    /// One window of one modality. The data chunks go first, to the compressing workers or to the
    /// writer thread, and the window's small datasets (times, indices, mask, ragged rows) are
    /// written on this thread while they are compressed or written; then this waits for those
    /// that read the window's memory, which the caller refills next.
    /// </summary>
    private void WriteWindow(H5NativeWriter writer, ModalityDatasets d, int windowIndex, int modalityIndex, WindowBuffer window, HyperslabSelection windowSlab, byte[]? mask)
    {
        ulong w = (ulong)windowIndex;
        Action? finish = null;
        if (d.CompressedChunks is { } compressed)
        {
            ReadOnlyMemory<byte> bytes = window.SourceData.IsEmpty ? ArrayBytes.Of(window.Data) : window.SourceData;
            MappedFile.PopulateMemory(bytes); // one madvise instead of a page fault per 4 KiB in the workers (2026-12-07: -6 to -10 % CPU of a bitshuffle-lz4 or zstd export from a recording)
            StartCompressed(writer, d, compressed, w, bytes);

            // The previous window's chunks are compressed by now: they are written while this one's are compressed.
            _compressor!.WriteCompleted();
            finish = () =>
            {
                compressed.Cache.FinishBorrowed();
                if (!window.SourceData.IsEmpty)
                {
                    MappedFile.ReleaseMemory(window.SourceData);
                }
            };
        }
        else if (window.SourceData.IsEmpty && d.SourceChunks is { } fromBuffer)
        {
            // Whole chunks of the window's buffer go out as they are, like a recording's, and
            // are in the file before the buffer is refilled: no copy into PureHDF's chunk.
            WriteFromSource(writer, d, fromBuffer, w, ArrayBytes.Of(window.Data));
            fromBuffer.Cache.HandOverNow();
            finish = () => _writeQueue?.Drain();
        }
        else if (d.DataRows is { } rows)
        {
            // Small windows, from the buffer or the mapped recording: one copy into the chunk being filled.
            rows.Write(writer, d.Data, w, window.SourceData.IsEmpty ? window.DataBytes : window.SourceData.Span);
            MappedFile.ReleaseMemory(window.SourceData);
        }
        else if (window.SourceData.IsEmpty)
        {
            WriteData(writer, d.Data, window.Data, windowSlab);
        }
        else if (d.SourceChunks is { } direct)
        {
            MappedFile.PopulateMemory(window.SourceData);
            ChunksWrittenFromSource += WriteFromSource(writer, d, direct, w, window.SourceData);
        }
        else
        {
            // Chunks that are not whole slices of the window (or compressed ones): copy, as the aligner would have.
            BulkCopy.Copy(window.SourceData.Span, window.DataBytes);
            MappedFile.ReleaseMemory(window.SourceData);
            WriteData(writer, d.Data, window.Data, windowSlab);
        }

        d.TimestampRows.Write(writer, d.Timestamps, w, MemoryMarshal.AsBytes(window.Timestamps.AsSpan()));
        d.SourceIndexRows.Write(writer, d.SourceIndex, w, MemoryMarshal.AsBytes(window.SourceIndex.AsSpan()));
        d.SourceTimeRows.Write(writer, d.SourceTime, w, MemoryMarshal.AsBytes(window.SourceTime.AsSpan()));
        if (d.Ragged is { } ragged)
        {
            WriteRagged(writer, ragged, windowIndex, window.Ragged ?? throw new ArgumentException($"modality {modalityIndex} has ragged datasets, but window {windowIndex} carries none", nameof(window)));
        }

        if (d.Mask is not null && d.KeptFraction is not null && mask is not null)
        {
            if (d.MaskRows is { } maskRows)
            {
                maskRows.Write(writer, d.Mask, w, mask);
            }
            else
            {
                writer.Write(d.Mask, mask, fileSelection: windowSlab);
            }

            double kept = mask.Length == 0 ? 0 : (double)window.MaskOnes / mask.Length;
            d.KeptFractionRows!.Write(writer, d.KeptFraction, w, MemoryMarshal.AsBytes(new ReadOnlySpan<double>(in kept)));
        }

        finish?.Invoke();
    }

    public void Complete()
    {
        H5NativeWriter writer = _writer ?? throw new InvalidOperationException("Begin was not called");
        Unwrapped(() =>
        {
            // Every chunk in the file before PureHDF writes its metadata, on this thread.
            _writeQueue?.Drain();
            writer.Dispose();
            return 0;
        });
        _writer = null;
        _writeQueue?.Dispose();
        Publish();
        _completed = true;
    }

    public void Dispose()
    {
        if (_completed)
        {
            return;
        }

        // Not completed: an error or Ctrl-C. Drop the chunks not yet compressed, close what was
        // written and remove it.
        _compressor?.Abandon();
        _writeQueue?.Abandon();
        try
        {
            _writer?.Dispose();
        }
#pragma warning disable CA1031 // Cleanup after a failure: whatever closing the partial file throws (the disk still full, EFBIG as ArgumentOutOfRangeException) must not hide the error that got us here.
        catch (Exception e) when (e is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            // The partial file is deleted below either way.
        }

        _writer = null;
        _writeQueue?.Dispose();
        TryDelete(_temporaryPath);
    }

    /// <summary>The finished file to its name: a rename, or without <see cref="_replaceExisting"/> a link that fails when the name is taken (<see cref="OutputGuard.TryPublishNew"/>).</summary>
    private void Publish()
    {
        if (_replaceExisting)
        {
            File.Move(_temporaryPath, _outputPath, overwrite: true);
            return;
        }

        if (!OutputGuard.TryPublishNew(_temporaryPath, _outputPath))
        {
            throw new NeuroAlignException($"{Printable.Escape(_outputPath)} was written by another process while this export ran: it was kept, and this export was not published (give each process its own output)");
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// PureHDF calls itself through reflection, so an I/O error (a full disk, a folder that went
    /// away) arrives wrapped in <see cref="TargetInvocationException"/>: this is the one-line error
    /// naming the output that it becomes, or null for any other exception.
    /// </summary>
    internal static NeuroAlignException? AsWriteError(string outputPath, Exception exception)
    {
        Exception e = PureHdfInternals.Unwrap(exception);

        // .NET reports EFBIG (the file system's or the process's file-size limit) as an
        // ArgumentOutOfRangeException from the write itself, not as an IOException.
        bool tooLarge = e is ArgumentOutOfRangeException && e.TargetSite?.DeclaringType?.FullName?.StartsWith("System.IO.", StringComparison.Ordinal) == true;
        return e is IOException or UnauthorizedAccessException || tooLarge
            ? new NeuroAlignException($"{outputPath}: cannot write: {(tooLarge ? "file too large for the file system or the process's file-size limit (EFBIG)" : e.Message)}", e)
            : null;
    }

    /// <summary>Runs a PureHDF call, turning its I/O errors into <see cref="AsWriteError"/>'s one line, and any other error into itself, without PureHDF's reflection wrapper.</summary>
    private T Unwrapped<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (AsWriteError(_outputPath, e) is { } error)
        {
            throw error;
        }
        catch (TargetInvocationException e) when (e.InnerException != null)
        {
            // Any other failure that came back through PureHDF (a chunk whose compression failed,
            // thrown where PureHDF asked our cache for the next chunk) surfaces as itself.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(PureHdfInternals.Unwrap(e));
            throw;
        }
    }

    private static uint ChunkWindows(int windows, long bytesPerWindow, long targetBytes) =>
        (uint)Math.Clamp(targetBytes / Math.Max(1, bytesPerWindow), 1, Math.Max(1, windows));

    /// <summary>
    /// Points of a window in one data chunk: all of them when the window fits the target size, else
    /// the window split into equal runs of points (a 1 s × 384-channel int16 window of 23 MB becomes
    /// three chunks of 10 000 samples). Large chunks cost memory while they are compressed on workers
    /// (issue 8: peak private memory under 256 MB); a window is still a few adjacent chunks to read.
    /// </summary>
    private static uint ChunkPoints(int points, long bytesPerWindow, long targetBytes)
    {
        long pieces = Math.Clamp((bytesPerWindow + targetBytes - 1) / targetBytes, 1, points);
        return (uint)((points + pieces - 1) / pieces);
    }

    private H5DatasetCreation Creation(int typeSize, uint[] chunks)
    {
        // Every chunked dataset gets its own cache: a cache's keys are that dataset's chunk indices.
        int chunkBytes = checked((int)chunks.Aggregate((long)typeSize, (product, d) => product * d));
        if (_options.Codec == CompressionCodec.None || _compressor is null)
        {
            // One writer thread for all the file's uncompressed datasets, started with the first.
            _writeQueue ??= new ChunkWriteQueue();
            return new H5DatasetCreation(ChunkCache: new SequentialChunkCache(_writeQueue, chunkBytes), Filters: []);
        }

        // The pipeline declared here is what h5py reads; the cache runs the same filters itself, on workers.
        var codec = new ChunkCodec(_options.Codec, _options.EffectiveLevel ?? 0, typeSize, _options.Shuffle);
        List<H5Filter> filters = codec.ShuffleBytes ? [new H5Filter(ShuffleFilter.Id)] : [];
        filters.Add(codec.Codec == CompressionCodec.Gzip
            ? new H5Filter(DeflateFilter.Id, new() { [DeflateFilter.COMPRESSION_LEVEL] = codec.Level })
            : new H5Filter(codec.FilterId, new() { [ChunkFilters.ClientDataOption] = codec.ClientData }));
        return new H5DatasetCreation(ChunkCache: new CompressingChunkCache(_compressor, codec, chunkBytes), Filters: filters);
    }

    private static void AddAttributes(Dictionary<string, object> target, IReadOnlyDictionary<string, object> source)
    {
        foreach (var (key, value) in source)
        {
            target[key] = value switch
            {
                string or double or long or int => value,
                float f => (double)f,
                bool b => b ? 1L : 0L,
                _ => throw new ArgumentException($"attribute {key}: unsupported type {value.GetType().Name}"),
            };
        }
    }

    /// <summary>
    /// A modality's ragged datasets: each column [S], chunked (about 1 MB) and compressed like the
    /// data, sized up front from the layout's window counts (PureHDF writes no extendible
    /// datasets); the offsets [W+1] are known too, so they are written whole at the start.
    /// </summary>
    private RaggedDatasets AddRagged(H5Group group, RaggedLayout ragged)
    {
        long total = ragged.TotalLength;
        var columns = new List<(H5Dataset, ChunkRows)?>();
        foreach (RaggedColumn column in ragged.Columns)
        {
            if (total == 0)
            {
                // No rows: an empty dataset, nothing to write per window.
                group[column.Name] = WindowBuffer.NewArray(column.Type, 0);
                columns.Add(null);
                continue;
            }

            int size = column.Type.SizeOf();
            uint chunk = (uint)Math.Clamp(SmallChunkBytes / size, 1, total);
            H5DatasetCreation creation = Creation(size, [chunk]);
            H5Dataset dataset = CreateData(column.Type, [(ulong)total], [chunk], creation);
            group[column.Name] = dataset;
            columns.Add((dataset, new ChunkRows(creation, chunk, size, 1, WindowBuffer.NewArray(column.Type, 1))));
        }

        group[OutputSchema.WindowOffsets] = ragged.Offsets();
        return new RaggedDatasets(columns, ragged.Offsets());
    }

    /// <summary>Window <paramref name="w"/>'s rows of every ragged column, at its offset; the rows must be as many as the layout said.</summary>
    private static void WriteRagged(H5NativeWriter writer, RaggedDatasets d, int w, RaggedWindow rows)
    {
        long expected = d.Offsets[w + 1] - d.Offsets[w];
        if (rows.Count != expected)
        {
            throw new InvalidOperationException($"window {w} has {rows.Count} ragged rows; the layout counted {expected}");
        }

        if (rows.Count == 0)
        {
            return;
        }

        for (int c = 0; c < d.Columns.Count; c++)
        {
            var (dataset, columnRows) = d.Columns[c]!.Value;
            columnRows.Write(writer, dataset, (ulong)d.Offsets[w], ArrayBytes.Of(rows.Columns[c]).Span[..(rows.Count * columnRows.RowBytes)]);
        }
    }

    private static H5Dataset CreateData(SampleType type, ulong[] dims, uint[] chunks, H5DatasetCreation creation) => type switch
    {
        SampleType.UInt8 => new H5Dataset<byte[]>(dims, chunks, creation),
        SampleType.Int8 => new H5Dataset<sbyte[]>(dims, chunks, creation),
        SampleType.Int16 => new H5Dataset<short[]>(dims, chunks, creation),
        SampleType.UInt16 => new H5Dataset<ushort[]>(dims, chunks, creation),
        SampleType.Int32 => new H5Dataset<int[]>(dims, chunks, creation),
        SampleType.UInt32 => new H5Dataset<uint[]>(dims, chunks, creation),
        SampleType.Int64 => new H5Dataset<long[]>(dims, chunks, creation),
        SampleType.UInt64 => new H5Dataset<ulong[]>(dims, chunks, creation),
        SampleType.Float32 => new H5Dataset<float[]>(dims, chunks, creation),
        SampleType.Float64 => new H5Dataset<double[]>(dims, chunks, creation),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>
    /// Writes window <paramref name="w"/> chunk by chunk from the recording's memory: each chunk is
    /// handed to its cache, then one element of it is written so that PureHDF asks the cache for
    /// that chunk (and records where it goes); the bytes themselves are not copied, and the
    /// element's value does not matter (it lands in a scratch chunk nobody reads).
    /// </summary>
    private static int WriteFromSource(H5NativeWriter writer, ModalityDatasets d, SourceChunkWriter direct, ulong w, ReadOnlyMemory<byte> source)
    {
        int chunks = (int)d.DataDims[1] / direct.PointsPerChunk;
        int chunkBytes = source.Length / chunks;
        for (int c = 0; c < chunks; c++)
        {
            ReadOnlyMemory<byte> chunk = source.Slice(c * chunkBytes, chunkBytes);
            ulong[] start = new ulong[d.DataRank];
            start[0] = w;
            start[1] = (ulong)(c * direct.PointsPerChunk);
            direct.Cache.WriteNextChunkFrom(chunk);
            PureHdfInternals.AskForChunk(selection => WriteData(writer, d.Data, direct.OneElement, selection), start);
        }

        return chunks;
    }

    /// <summary>
    /// Writes <paramref name="data"/> into the typed dataset made for it. Dispatched on the dataset,
    /// not with <c>case short[]</c> patterns: the runtime lets a ushort[] pass as short[] (and
    /// uint[] as int[], byte[] as sbyte[]), so such a switch sent uint16, uint32 and int8 windows
    /// to the signed type's cast and failed (issue 17).
    /// </summary>
    private static void WriteData(H5NativeWriter writer, H5Dataset dataset, Array data, Selection selection, Selection? memory = null)
    {
        switch (dataset)
        {
            case H5Dataset<byte[]> d: writer.Write(d, (byte[])data, memory, selection); break;
            case H5Dataset<sbyte[]> d: writer.Write(d, (sbyte[])data, memory, selection); break;
            case H5Dataset<short[]> d: writer.Write(d, (short[])data, memory, selection); break;
            case H5Dataset<ushort[]> d: writer.Write(d, (ushort[])data, memory, selection); break;
            case H5Dataset<int[]> d: writer.Write(d, (int[])data, memory, selection); break;
            case H5Dataset<uint[]> d: writer.Write(d, (uint[])data, memory, selection); break;
            case H5Dataset<long[]> d: writer.Write(d, (long[])data, memory, selection); break;
            case H5Dataset<ulong[]> d: writer.Write(d, (ulong[])data, memory, selection); break;
            case H5Dataset<float[]> d: writer.Write(d, (float[])data, memory, selection); break;
            case H5Dataset<double[]> d: writer.Write(d, (double[])data, memory, selection); break;
            default: throw new ArgumentException($"unsupported dataset {dataset.GetType().Name}", nameof(dataset));
        }
    }

    /// <summary>
    /// Hands window <paramref name="w"/>'s chunks to the compressing workers, each compressed
    /// straight from <paramref name="window"/> (the window's buffer or the mapped recording) and
    /// asked for by writing one element. They are compressed while the caller writes the window's
    /// small datasets; <see cref="CompressingChunkCache.FinishBorrowed"/> then waits for them, as
    /// the buffer is refilled after.
    /// </summary>
    private static void StartCompressed(H5NativeWriter writer, ModalityDatasets d, CompressedChunkWriter compressed, ulong w, ReadOnlyMemory<byte> window)
    {
        int chunks = (int)d.DataDims[1] / compressed.PointsPerChunk;
        int chunkBytes = window.Length / chunks;
        for (int c = 0; c < chunks; c++)
        {
            ulong[] start = new ulong[d.DataRank];
            start[0] = w;
            start[1] = (ulong)(c * compressed.PointsPerChunk);
            compressed.Cache.CompressNextChunkFrom(window.Slice(c * chunkBytes, chunkBytes));
            PureHdfInternals.AskForChunk(selection => WriteData(writer, d.Data, compressed.OneElement, selection), start);
        }

        compressed.Cache.HandOverBorrowed();
    }

    private sealed record ModalityDatasets(
        H5Dataset Data,
        H5Dataset<double[]> Timestamps,
        H5Dataset<long[]> SourceIndex,
        H5Dataset<double[]> SourceTime,
        ulong[] DataDims,
        H5Dataset<byte[]>? Mask,
        H5Dataset<double[]>? KeptFraction)
    {
        public int DataRank => DataDims.Length;

        /// <summary>Set when windows given as source memory are written without a copy.</summary>
        public SourceChunkWriter? SourceChunks { get; init; }

        /// <summary>Set when compressed chunks are whole slices of a window.</summary>
        public CompressedChunkWriter? CompressedChunks { get; init; }

        /// <summary>Set when each data chunk holds several whole windows.</summary>
        public ChunkRows? DataRows { get; init; }

        /// <summary>The mask's, as <see cref="DataRows"/> (it has the data's chunks).</summary>
        public ChunkRows? MaskRows { get; init; }

        public required ChunkRows TimestampRows { get; init; }

        public required ChunkRows SourceIndexRows { get; init; }

        public required ChunkRows SourceTimeRows { get; init; }

        /// <summary>Set with a mask.</summary>
        public ChunkRows? KeptFractionRows { get; init; }

        /// <summary>Set when the modality has ragged datasets (spike lists).</summary>
        public RaggedDatasets? Ragged { get; set; }
    }

    /// <summary>A modality's ragged columns (null when they have no rows) and the offsets of each window's rows.</summary>
    private sealed record RaggedDatasets(IReadOnlyList<(H5Dataset Dataset, ChunkRows Rows)?> Columns, long[] Offsets);

    /// <summary>What writing a window's chunks straight from the source takes: the data's cache, points per chunk, a one-element array.</summary>
    private sealed record SourceChunkWriter(SequentialChunkCache Cache, int PointsPerChunk, Array OneElement);

    /// <summary>What compressing a window's chunks straight from it takes: the data's cache, points per chunk, a one-element array.</summary>
    private sealed record CompressedChunkWriter(CompressingChunkCache Cache, int PointsPerChunk, Array OneElement);

    /// <summary>
    /// A chunked dataset written in order, rows along its first dimension (a window of the
    /// per-window datasets, whose chunks hold whole windows; an element of a ragged column): the
    /// rows' bytes are copied into the chunk being filled. PureHDF is called only to start each
    /// chunk (one element written makes it ask the cache for the chunk, and the previous one,
    /// complete, goes to be written or compressed), not once per window: its hyperslab walk steps
    /// along the last dimension (a pose window of 30 × 12 points of x, y, score was 360 steps of 3
    /// floats, 0.1 ms) and each write call costs it about 10 µs. Rows come in order, as chunks must
    /// (<see cref="SequentialChunkCache"/>).
    /// </summary>
    private sealed class ChunkRows(H5DatasetCreation creation, uint rowsPerChunk, int rowBytes, int rank, Array oneElement)
    {
        private readonly IChunkBeingFilled _cache = (IChunkBeingFilled)creation.ChunkCache!;
        private ulong _chunk = ulong.MaxValue;

        public int RowBytes => rowBytes;

        /// <summary>Rows <paramref name="firstRow"/>… of the dataset, as many as <paramref name="rows"/> holds.</summary>
        public void Write(H5NativeWriter writer, H5Dataset dataset, ulong firstRow, ReadOnlySpan<byte> rows)
        {
            if (rows.Length % rowBytes != 0)
            {
                throw new ArgumentException($"{rows.Length} bytes are not whole rows of {rowBytes}", nameof(rows));
            }

            ulong row = firstRow;
            while (!rows.IsEmpty)
            {
                ulong chunk = row / rowsPerChunk;
                if (chunk != _chunk)
                {
                    ulong[] start = new ulong[rank];
                    start[0] = row;
                    PureHdfInternals.AskForChunk(selection => WriteData(writer, dataset, oneElement, selection), start);
                    _chunk = chunk;
                }

                int at = checked((int)(row % rowsPerChunk));
                int count = (int)Math.Min((ulong)(rows.Length / rowBytes), rowsPerChunk - (ulong)at);
                rows[..(count * rowBytes)].CopyTo(_cache.ChunkBeingFilled.Slice(at * rowBytes, count * rowBytes));
                rows = rows[(count * rowBytes)..];
                row += (ulong)count;
            }
        }
    }

    [GeneratedRegex(@"^\..+\.[0-9]+\.[0-9a-f]{32}\.partial$")]
    private static partial Regex TemporaryName();
}
