using Microsoft.Win32.SafeHandles;
using NeuroAlign.Alignment;
using NeuroAlign.Sessions;
using NeuroAlign.Streams;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5;

/// <summary>
/// Reads a file written by <see cref="Hdf5Sink"/> (<see cref="OutputSchema"/>, docs/output-format.md) back as the
/// layout the sink was given and its windows one at a time, so a merge can stream shard files
/// into a new sink with memory bounded by a chunk per dataset.
/// </summary>
public sealed class ExportFileReader : IDisposable
{
    /// <summary>Datasets of a modality group that hold one row per window; every other dataset is written once.</summary>
    public static readonly IReadOnlySet<string> PerWindowDatasets = new HashSet<string>(OutputSchema.PerWindowDatasets, StringComparer.Ordinal);

    /// <summary>The first 8 bytes of an HDF5 file whose superblock is at offset 0, as the sink writes it.</summary>
    private static readonly byte[] Hdf5Signature = [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1A, (byte)'\n'];

    private readonly NativeFile _file;
    private readonly List<ModalityDatasets> _datasets = [];

    private ExportFileReader(string path, NativeFile file)
    {
        Path = path;
        _file = file;
        RootAttributes = ReadAttributes(file, "/");
        if (!file.LinkExists($"{OutputSchema.WindowsGroup}/{OutputSchema.WindowTime}"))
        {
            throw new InvalidRecordingException(path, "/windows/time", "no such dataset", "a NeuroAlign export (docs/output-format.md)");
        }

        WindowTimes = ReadWhole<double[]>(file.Dataset($"{OutputSchema.WindowsGroup}/{OutputSchema.WindowTime}"), $"/{OutputSchema.WindowsGroup}/{OutputSchema.WindowTime}");
        var modalities = new List<ModalityLayout>();
        var unknown = new List<string>();
        WindowLabels = ReadLabels(file.Group(OutputSchema.WindowsGroup), unknown);
        foreach (IH5Object child in file.Children())
        {
            if (OutputSchema.ReservedGroups.Contains(child.Name))
            {
                continue;
            }

            if (child is IH5Group group && OutputSchema.DataNames.Any(group.LinkExists))
            {
                modalities.Add(ReadModality(group, unknown));
            }
            else
            {
                unknown.Add("/" + child.Name);
            }
        }

        // /sync/<m>: attributes only, how m's clock was fitted to the reference (docs/sync.md).
        if (file.LinkExists(OutputSchema.SyncGroup))
        {
            foreach (IH5Object child in file.Group(OutputSchema.SyncGroup).Children())
            {
                int m = modalities.FindIndex(l => l.Name == child.Name);
                if (child is IH5Group && m >= 0)
                {
                    modalities[m] = modalities[m] with
                    {
                        SyncAttributes = ReadAttributes(child, $"/sync/{child.Name}"),
                        SyncDatasets = ReadSyncDatasets((IH5Group)child, unknown),
                    };
                }
                else
                {
                    unknown.Add($"/sync/{child.Name}");
                }
            }
        }

        Modalities = modalities;
        UnknownObjects = unknown;
    }

    /// <summary>The file read.</summary>
    public string Path { get; }

    /// <summary>Attributes of the root group (strings, doubles and 64-bit integers).</summary>
    public IReadOnlyDictionary<string, object> RootAttributes { get; }

    /// <summary>/windows/time.</summary>
    public IReadOnlyList<double> WindowTimes { get; }

    /// <summary>/windows/&lt;name&gt; besides the times: per-window labels from the events table.</summary>
    public IReadOnlyList<WindowLabel> WindowLabels { get; }

    /// <summary>Windows in the file.</summary>
    public int WindowCount => WindowTimes.Count;

    /// <summary>Each modality group as the layout a sink needs to write it again.</summary>
    public IReadOnlyList<ModalityLayout> Modalities { get; }

    /// <summary>Objects this reader does not know (paths); a merge refuses to drop them silently.</summary>
    public IReadOnlyList<string> UnknownObjects { get; }

    /// <summary>Opens an export; a file that is not one gives a one-line <see cref="NeuroAlignException"/>.</summary>
    public static ExportFileReader Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new NeuroAlignException($"{path}: no such file");
        }

        NativeFile file = Hdf5Files.OpenRead(path, "an HDF5 file written by neuro-align");

        try
        {
            return new ExportFileReader(path, file);
        }
        catch (Exception e) when (IsFileFault(e))
        {
            file.Dispose();
            throw new InvalidRecordingException(path, "structure", Describe(e), "a NeuroAlign export (docs/output-format.md)");
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/> is a file NeuroAlign wrote: an HDF5 file whose root carries the
    /// schema's version attributes (<see cref="OutputSchema.SchemaVersionAttribute"/> and
    /// <see cref="OutputSchema.NeuroAlignVersionAttribute"/>), or a sink's half-written temporary
    /// (<c>.NAME.PID.ID.partial</c>). Anything unreadable is not ours; never throws for a bad file.
    /// </summary>
    public static bool IsNeuroAlignOutput(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            return false;
        }

        if (Hdf5Sink.IsTemporaryName(System.IO.Path.GetFileName(path)))
        {
            return true;
        }

        try
        {
            // The signature first: most files that are not ours are not HDF5 at all.
            Span<byte> head = stackalloc byte[8];
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            {
                if (stream.ReadAtLeast(head, 8, throwOnEndOfStream: false) < 8 || !head.SequenceEqual(Hdf5Signature))
                {
                    return false;
                }
            }

            Hdf5MetadataCheck.Check(path);
            using NativeFile file = H5File.OpenRead(path);
            return file.AttributeExists(OutputSchema.SchemaVersionAttribute) && file.AttributeExists(OutputSchema.NeuroAlignVersionAttribute);
        }
        catch (Exception e) when (IsFileFault(e) || e is InvalidRecordingException)
        {
            return false;
        }
    }

    /// <summary>Fills <paramref name="buffer"/> (made for <see cref="Modalities"/>[<paramref name="modalityIndex"/>]) with window <paramref name="windowIndex"/>.</summary>
    /// <exception cref="InvalidRecordingException">The file is damaged where the window is stored (a truncated or flipped chunk, a filter this reader does not have): the dataset and window, and what the HDF5 reader found.</exception>
    public void ReadWindow(int modalityIndex, int windowIndex, WindowBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        ArgumentOutOfRangeException.ThrowIfNegative(windowIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(windowIndex, WindowCount);
        try
        {
            ReadWindowCore(modalityIndex, windowIndex, buffer);
        }
        catch (Exception e) when (IsFileFault(e))
        {
            throw new InvalidRecordingException(Path, $"/{Modalities[modalityIndex].Name} window {windowIndex}", Describe(e), "readable chunks (the file is damaged or was written with a filter this version does not read)");
        }
    }

    /// <summary>/m/kept_fraction [W] of a filtered stream (one number per window, read whole); null when the stream has no mask.</summary>
    public double[]? KeptFractions(int modalityIndex)
    {
        ModalityLayout m = Modalities[modalityIndex];
        return m.HasMask ? ReadWhole<double[]>(_file.Dataset($"{m.Name}/{OutputSchema.KeptFraction}"), $"/{m.Name}/{OutputSchema.KeptFraction}") : null;
    }

    /// <summary>
    /// The filter pipeline of each stream's per-window data (/m/data, in <see cref="Modalities"/>
    /// order), read from its object header by <see cref="Hdf5Structures"/> (PureHDF 2.2 has no public
    /// way to list a dataset's filters); empty when uncompressed, null when its header cannot be found.
    /// </summary>
    internal IReadOnlyList<IReadOnlyList<Hdf5Structures.Filter>?> DataFilters()
    {
        using SafeFileHandle handle = File.OpenHandle(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        Hdf5Structures? structures = Hdf5Structures.Open(Path, handle);
        return [.. Modalities.Select((m, i) => structures is not null && PureHdfInternals.ObjectHeaderAddress(_datasets[i].Data) is { } address ? Pipeline(structures, address, $"/{m.Name}/{m.DataName} object header at byte {address}") : null)];

        static IReadOnlyList<Hdf5Structures.Filter> Pipeline(Hdf5Structures structures, ulong address, string where) =>
            structures.ReadObjectHeader(address, where).Messages.FirstOrDefault(message => message.Type == 11) is { Type: 11 } pipeline
                ? structures.FilterPipeline(pipeline.Body.Span, pipeline.Where)
                : [];
    }

    /// <summary>
    /// Whether an exception from PureHDF is the file's fault: anything but our own errors,
    /// cancellation and argument mistakes of the caller. A corrupt size field makes PureHDF ask for an
    /// impossible array ("Array dimensions exceeded supported range", an <see cref="OutOfMemoryException"/>
    /// thrown before any memory is taken): that too is a damaged file, not a full machine.
    /// </summary>
    internal static bool IsFileFault(Exception e) =>
        e is not NeuroAlignException and not OperationCanceledException and not InsufficientExecutionStackException;

    /// <summary>The reader's message on one line, bounded.</summary>
    internal static string Describe(Exception e) =>
        Printable.Excerpt(e.GetType() == typeof(Exception) ? e.Message.ReplaceLineEndings(" ") : $"{e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}", 200);

    private void ReadWindowCore(int modalityIndex, int windowIndex, WindowBuffer buffer)
    {
        ModalityDatasets d = _datasets[modalityIndex];
        ulong w = (ulong)windowIndex;
        var points = new HyperslabSelection(2, [w, 0], [1, (ulong)buffer.Timestamps.Length]);
        d.Timestamps.Read(d.TimestampsAccess, buffer.Timestamps, points);
        d.SourceIndex.Read(d.SourceIndexAccess, buffer.SourceIndex, points);
        d.SourceTime.Read(d.SourceTimeAccess, buffer.SourceTime, points);

        ulong[] start = new ulong[d.DataDims.Length];
        start[0] = w;
        var slab = new HyperslabSelection(d.DataDims.Length, start, [1, .. d.DataDims.Skip(1)]);
        ReadData(d.Data, d.DataAccess, buffer.Data, slab);
        if (d.Ragged is { } ragged)
        {
            RaggedWindow rows = buffer.Ragged ?? throw new ArgumentException("the buffer has no ragged rows; make it from this file's layout", nameof(buffer));
            long offset = ragged.Offsets[windowIndex];
            int count = checked((int)(ragged.Offsets[windowIndex + 1] - offset));
            rows.Count = 0;
            rows.EnsureCapacity(count);
            for (int c = 0; c < ragged.Columns.Count; c++)
            {
                if (count > 0)
                {
                    ReadRows(ragged.Columns[c], ragged.Accesses[c], rows.Columns[c], offset, count);
                }
            }

            rows.Count = count;
        }

        if (d.Mask != null)
        {
            byte[] mask = buffer.Mask ?? throw new ArgumentException("the buffer has no mask; make it from this file's layout", nameof(buffer));
            d.Mask.Read(d.MaskAccess, mask, slab);
            buffer.MaskOnes = mask.AsSpan().Count((byte)1);
        }
    }

    public void Dispose() => _file.Dispose();

    /// <summary>The element type of an HDF5 dataset or attribute as a <see cref="SampleType"/>; null for other classes.</summary>
    public static SampleType? ToSampleType(IH5DataType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return (type.Class, type.Size) switch
        {
            (H5DataTypeClass.FloatingPoint, 4) => SampleType.Float32,
            (H5DataTypeClass.FloatingPoint, 8) => SampleType.Float64,
            (H5DataTypeClass.FixedPoint, 1) => type.FixedPoint.IsSigned ? SampleType.Int8 : SampleType.UInt8,
            (H5DataTypeClass.FixedPoint, 2) => type.FixedPoint.IsSigned ? SampleType.Int16 : SampleType.UInt16,
            (H5DataTypeClass.FixedPoint, 4) => type.FixedPoint.IsSigned ? SampleType.Int32 : SampleType.UInt32,
            (H5DataTypeClass.FixedPoint, 8) => type.FixedPoint.IsSigned ? SampleType.Int64 : SampleType.UInt64,
            _ => null,
        };
    }

    private ModalityLayout ReadModality(IH5Group group, List<string> unknown)
    {
        string name = group.Name;
        string dataName = OutputSchema.DataNames.First(group.LinkExists);
        NativeDataset data = (NativeDataset)group.Dataset(dataName);
        ulong[] dims = data.Space.Dimensions;
        SampleType type = ToSampleType(data.Type)
            ?? throw new InvalidRecordingException(Path, $"/{name}/data", $"HDF5 type class {data.Type.Class}", "integer or floating-point samples");
        if (dims.Length < 2 || dims[0] != (ulong)WindowTimes.Count)
        {
            throw new InvalidRecordingException(Path, $"/{name}/data", $"shape [{string.Join(", ", dims)}]", $"[{WindowTimes.Count} windows, points, sample shape…]");
        }

        int points = checked((int)dims[1]);
        NativeDataset PointDataset(string datasetName)
        {
            if (!group.LinkExists(datasetName))
            {
                throw new InvalidRecordingException(Path, $"/{name}/{datasetName}", "no such dataset", "one row per window (docs/output-format.md)");
            }

            var dataset = (NativeDataset)group.Dataset(datasetName);
            ulong[] pointDims = dataset.Space.Dimensions;
            if (pointDims.Length != 2 || pointDims[0] != dims[0] || pointDims[1] != dims[1])
            {
                throw new InvalidRecordingException(Path, $"/{name}/{datasetName}", $"shape [{string.Join(", ", pointDims)}]", $"[{dims[0]}, {dims[1]}] like /{name}/data");
            }

            return dataset;
        }

        var extras = new Dictionary<string, Array>(StringComparer.Ordinal);
        foreach (IH5Object child in group.Children())
        {
            if (PerWindowDatasets.Contains(child.Name))
            {
                continue;
            }

            if (child is IH5Dataset extra && ToSampleType(extra.Type) is { } extraType && extra.Space.Rank is 1 or 2)
            {
                // Per-stream tables written once: gains and ids [C], channel positions [C, 2].
                extras[child.Name] = extra.Space.Rank == 1
                    ? ReadWhole(extra, extraType, $"/{name}/{child.Name}")
                    : ReadWhole2(extra, extraType, $"/{name}/{child.Name}");
            }
            else if (child is IH5Dataset names && IsText(names.Type) && names.Space.Rank == 1)
            {
                // Names written once: channel, column or bodypart names (/ephys/channel_names, /physio/columns).
                extras[child.Name] = ReadWhole<string[]>(names, $"/{name}/{child.Name}");
            }
            else if (child is IH5Dataset text && text.Type.Class is H5DataTypeClass.String or H5DataTypeClass.VariableLength && text.Space.Rank == 1)
            {
                // unit_labels: strings, one per unit.
                extras[child.Name] = ReadWhole<string[]>(text, $"/{name}/{child.Name}");
            }
            else
            {
                unknown.Add($"/{name}/{child.Name}");
            }
        }

        // With a filter: /m/mask (uint8, shaped like the data) and /m/kept_fraction [W], which the
        // sink computes again from the mask's ones.
        NativeDataset? mask = null;
        if (group.LinkExists(OutputSchema.Mask))
        {
            mask = (NativeDataset)group.Dataset(OutputSchema.Mask);
            if (ToSampleType(mask.Type) != SampleType.UInt8 || !mask.Space.Dimensions.SequenceEqual(dims))
            {
                throw new InvalidRecordingException(Path, $"/{name}/mask", $"{ToSampleType(mask.Type)?.ToText() ?? mask.Type.Class.ToString()} [{string.Join(", ", mask.Space.Dimensions)}]", $"uint8 [{string.Join(", ", dims)}] like /{name}/data");
            }

            if (!group.LinkExists(OutputSchema.KeptFraction))
            {
                throw new InvalidRecordingException(Path, $"/{name}/kept_fraction", "no such dataset", "one per window beside /mask");
            }
        }
        else if (group.LinkExists(OutputSchema.KeptFraction))
        {
            unknown.Add($"/{name}/kept_fraction");
        }

        (RaggedLayout Layout, RaggedDatasets Datasets)? ragged = group.LinkExists(OutputSchema.WindowOffsets) ? ReadRagged(group) : null;
        _datasets.Add(new ModalityDatasets(data, PointDataset(OutputSchema.Timestamps), PointDataset(OutputSchema.SourceIndex), PointDataset(OutputSchema.SourceTime), mask, dims) { Ragged = ragged?.Datasets });
        int[] sampleShape = dims.Skip(2).Select(d => checked((int)d)).ToArray();
        return new ModalityLayout(name, type, sampleShape, points, ReadAttributes(group, $"/{name}"), extras, HasMask: mask != null, Ragged: ragged?.Layout, DataName: dataName);
    }

    /// <summary>
    /// A group's ragged datasets (spike lists): window_offsets [W+1] from 0, never decreasing, and
    /// each known column [S] with S its last offset.
    /// </summary>
    private (RaggedLayout Layout, RaggedDatasets Datasets) ReadRagged(IH5Group group)
    {
        string where = $"/{group.Name}/{OutputSchema.WindowOffsets}";
        long[] offsets = ReadWhole<long[]>(group.Dataset(OutputSchema.WindowOffsets), where);
        if (offsets.Length != WindowTimes.Count + 1 || offsets[0] != 0)
        {
            throw new InvalidRecordingException(Path, where, $"{offsets.Length} offsets starting at {(offsets.Length > 0 ? offsets[0] : 0)}", $"{WindowTimes.Count + 1} (windows + 1) starting at 0");
        }

        for (int w = 0; w < WindowTimes.Count; w++)
        {
            if (offsets[w + 1] < offsets[w])
            {
                throw new InvalidRecordingException(Path, $"{where}[{w + 1}]", $"{offsets[w + 1]} after {offsets[w]}", "offsets that never decrease");
            }
        }

        var columns = new List<RaggedColumn>();
        var datasets = new List<NativeDataset>();
        foreach (string column in OutputSchema.RaggedColumns.Where(group.LinkExists))
        {
            var dataset = (NativeDataset)group.Dataset(column);
            SampleType type = ToSampleType(dataset.Type) ?? throw new InvalidRecordingException(Path, $"/{group.Name}/{column}", $"HDF5 type class {dataset.Type.Class}", "numbers");
            ulong[] dims = dataset.Space.Dimensions;
            if (dims.Length != 1 || (long)dims[0] != offsets[^1])
            {
                throw new InvalidRecordingException(Path, $"/{group.Name}/{column}", $"shape [{string.Join(", ", dims)}]", $"[{offsets[^1]}], the last of {where}");
            }

            columns.Add(new RaggedColumn(column, type));
            datasets.Add(dataset);
        }

        long[] counts = new long[WindowTimes.Count];
        for (int w = 0; w < counts.Length; w++)
        {
            counts[w] = offsets[w + 1] - offsets[w];
        }

        return (new RaggedLayout(columns, counts), new RaggedDatasets(datasets, offsets));
    }

    private static void ReadRows(NativeDataset dataset, H5DatasetAccess access, Array buffer, long offset, int count)
    {
        var file = new HyperslabSelection(1, [(ulong)offset], [(ulong)count]);
        switch (Type.GetTypeCode(buffer.GetType().GetElementType()))
        {
            case TypeCode.Int32: dataset.Read(access, ((int[])buffer).AsSpan(0, count), file); break;
            case TypeCode.Int64: dataset.Read(access, ((long[])buffer).AsSpan(0, count), file); break;
            case TypeCode.Single: dataset.Read(access, ((float[])buffer).AsSpan(0, count), file); break;
            case TypeCode.Double: dataset.Read(access, ((double[])buffer).AsSpan(0, count), file); break;
            case TypeCode.UInt16: dataset.Read(access, ((ushort[])buffer).AsSpan(0, count), file); break;
            case TypeCode.UInt32: dataset.Read(access, ((uint[])buffer).AsSpan(0, count), file); break;
            default: throw new ArgumentException($"unsupported ragged column {buffer.GetType().Name}", nameof(buffer));
        }
    }

    private static bool IsText(IH5DataType type) => type.Class is H5DataTypeClass.String or H5DataTypeClass.VariableLength;

    /// <summary>Every dataset of /windows but the times: float64 or string, one value per window.</summary>
    private List<WindowLabel> ReadLabels(IH5Group windows, List<string> unknown)
    {
        var labels = new List<WindowLabel>();
        foreach (IH5Object child in windows.Children())
        {
            if (child.Name == OutputSchema.WindowTime)
            {
                continue;
            }

            string where = $"/{OutputSchema.WindowsGroup}/{child.Name}";
            if (child is not IH5Dataset dataset || dataset.Space.Rank != 1)
            {
                unknown.Add(where);
                continue;
            }

            WindowLabel label = ToSampleType(dataset.Type) == SampleType.Float64
                ? WindowLabel.FromNumbers(child.Name, ReadWhole<double[]>(dataset, where))
                : IsText(dataset.Type)
                    ? WindowLabel.FromTexts(child.Name, ReadWhole<string[]>(dataset, where))
                    : throw new InvalidRecordingException(Path, where, $"HDF5 type class {dataset.Type.Class} of {dataset.Type.Size} bytes", "float64 or strings, one per window");
            if (label.Count != WindowTimes.Count)
            {
                throw new InvalidRecordingException(Path, where, $"{label.Count} values", $"{WindowTimes.Count}, one per window like /{OutputSchema.WindowsGroup}/{OutputSchema.WindowTime}");
            }

            labels.Add(label);
        }

        return labels;
    }

    /// <summary>/sync/&lt;m&gt;'s datasets: float64 vectors (pulses, residuals, knots), small enough to read whole.</summary>
    private Dictionary<string, Array> ReadSyncDatasets(IH5Group group, List<string> unknown)
    {
        var datasets = new Dictionary<string, Array>(StringComparer.Ordinal);
        foreach (IH5Object child in group.Children())
        {
            string where = $"/{OutputSchema.SyncGroup}/{group.Name}/{child.Name}";
            if (child is IH5Dataset dataset && ToSampleType(dataset.Type) == SampleType.Float64 && dataset.Space.Rank == 1)
            {
                datasets[child.Name] = ReadWhole<double[]>(dataset, where);
            }
            else
            {
                unknown.Add(where);
            }
        }

        return datasets;
    }

    private Dictionary<string, object> ReadAttributes(IH5Object owner, string where)
    {
        var attributes = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (IH5Attribute attribute in owner.Attributes())
        {
            // Hdf5Sink writes scalars only: strings, doubles, 64-bit and 32-bit integers.
            attributes[attribute.Name] = (attribute.Type.Class, ToSampleType(attribute.Type)) switch
            {
                (H5DataTypeClass.String or H5DataTypeClass.VariableLength, _) => attribute.Read<string>(),
                (_, SampleType.Float64) => attribute.Read<double>(),
                (_, SampleType.Int64) => attribute.Read<long>(),
                (_, SampleType.Int32) => attribute.Read<int>(),
                _ => throw new InvalidRecordingException(Path, $"{where} attribute {attribute.Name}", $"HDF5 type class {attribute.Type.Class} of {attribute.Type.Size} bytes", "a string, float64, int64 or int32 scalar"),
            };
        }

        return attributes;
    }

    private T ReadWhole<T>(IH5Dataset dataset, string where)
    {
        try
        {
            return dataset.Read<T>();
        }
        catch (Exception e) when (IsFileFault(e))
        {
            throw new InvalidRecordingException(Path, where, Describe(e), $"a readable {typeof(T).Name}");
        }
    }

    private Array ReadWhole(IH5Dataset dataset, SampleType type, string where) => type switch
    {
        SampleType.UInt8 => ReadWhole<byte[]>(dataset, where),
        SampleType.Int8 => ReadWhole<sbyte[]>(dataset, where),
        SampleType.Int16 => ReadWhole<short[]>(dataset, where),
        SampleType.UInt16 => ReadWhole<ushort[]>(dataset, where),
        SampleType.Int32 => ReadWhole<int[]>(dataset, where),
        SampleType.UInt32 => ReadWhole<uint[]>(dataset, where),
        SampleType.Int64 => ReadWhole<long[]>(dataset, where),
        SampleType.UInt64 => ReadWhole<ulong[]>(dataset, where),
        SampleType.Float32 => ReadWhole<float[]>(dataset, where),
        SampleType.Float64 => ReadWhole<double[]>(dataset, where),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private Array ReadWhole2(IH5Dataset dataset, SampleType type, string where) => type switch
    {
        SampleType.Int32 => ReadWhole<int[,]>(dataset, where),
        SampleType.Int64 => ReadWhole<long[,]>(dataset, where),
        SampleType.Float32 => ReadWhole<float[,]>(dataset, where),
        SampleType.Float64 => ReadWhole<double[,]>(dataset, where),
        _ => throw new InvalidRecordingException(Path, where, $"a two-dimensional {type.ToText()} table", "float32, float64, int32 or int64"),
    };

    private static void ReadData(NativeDataset dataset, H5DatasetAccess access, Array buffer, Selection selection)
    {
        // On the exact element type: the runtime lets a ushort[] pass as short[] (uint[] as int[],
        // byte[] as sbyte[]), so `case short[]` patterns would read unsigned buffers as signed.
        switch (Type.GetTypeCode(buffer.GetType().GetElementType()))
        {
            case TypeCode.Byte: dataset.Read(access, (byte[])buffer, selection); break;
            case TypeCode.SByte: dataset.Read(access, (sbyte[])buffer, selection); break;
            case TypeCode.Int16: dataset.Read(access, (short[])buffer, selection); break;
            case TypeCode.UInt16: dataset.Read(access, (ushort[])buffer, selection); break;
            case TypeCode.Int32: dataset.Read(access, (int[])buffer, selection); break;
            case TypeCode.UInt32: dataset.Read(access, (uint[])buffer, selection); break;
            case TypeCode.Int64: dataset.Read(access, (long[])buffer, selection); break;
            case TypeCode.UInt64: dataset.Read(access, (ulong[])buffer, selection); break;
            case TypeCode.Single: dataset.Read(access, (float[])buffer, selection); break;
            case TypeCode.Double: dataset.Read(access, (double[])buffer, selection); break;
            default: throw new ArgumentException($"unsupported element array {buffer.GetType().Name}", nameof(buffer));
        }
    }

    /// <summary>A modality's per-window datasets, each with its own one-chunk cache.</summary>
    private sealed record ModalityDatasets(NativeDataset Data, NativeDataset Timestamps, NativeDataset SourceIndex, NativeDataset SourceTime, NativeDataset? Mask, ulong[] DataDims)
    {
        public H5DatasetAccess MaskAccess { get; } = new(ChunkCache: new SingleChunkReadingCache());

        public H5DatasetAccess DataAccess { get; } = new(ChunkCache: new SingleChunkReadingCache());

        public H5DatasetAccess TimestampsAccess { get; } = new(ChunkCache: new SingleChunkReadingCache());

        public H5DatasetAccess SourceIndexAccess { get; } = new(ChunkCache: new SingleChunkReadingCache());

        public H5DatasetAccess SourceTimeAccess { get; } = new(ChunkCache: new SingleChunkReadingCache());

        /// <summary>Ragged columns and their offsets, when the group has them.</summary>
        public RaggedDatasets? Ragged { get; init; }
    }

    /// <summary>A group's ragged columns, each with its own one-chunk cache, and the offsets [W+1].</summary>
    private sealed record RaggedDatasets(IReadOnlyList<NativeDataset> Columns, long[] Offsets)
    {
        public IReadOnlyList<H5DatasetAccess> Accesses { get; } = [.. Columns.Select(_ => new H5DatasetAccess(ChunkCache: new SingleChunkReadingCache()))];
    }
}
