using System.Runtime.InteropServices;
using NeuroAlign.Streams;

namespace NeuroAlign.Alignment;

/// <summary>What a sink must know before the first window: every dataset's shape and type.</summary>
/// <param name="Name">Group name: ephys, video, fmri…</param>
/// <param name="DataType">Element type of /m/data.</param>
/// <param name="SampleShape">Shape of one sample (channels; height, width; x, y, z).</param>
/// <param name="PointsPerWindow">N, the grid points of one window.</param>
/// <param name="Attributes">Attributes of the group.</param>
/// <param name="ExtraDatasets">Datasets written once in the group.</param>
/// <param name="HasMask">Whether a filter applies: each window then carries a uint8 mask shaped like its data (/m/mask).</param>
/// <param name="SyncAttributes">How the stream's clock was fitted to the reference (/sync/&lt;name&gt;); null when it was not.</param>
/// <param name="Ragged">Datasets of a varying length per window (spike lists), in CSR form; null when the modality has none.</param>
/// <param name="SyncDatasets">The fit's pulses, residuals and knots (/sync/&lt;name&gt; datasets); null when there are none.</param>
/// <param name="DataName">The name of the per-window data dataset: data for sampled streams, counts for binned events.</param>
public sealed record ModalityLayout(
    string Name,
    SampleType DataType,
    IReadOnlyList<int> SampleShape,
    int PointsPerWindow,
    IReadOnlyDictionary<string, object> Attributes,
    IReadOnlyDictionary<string, Array> ExtraDatasets,
    bool HasMask = false,
    IReadOnlyDictionary<string, object>? SyncAttributes = null,
    RaggedLayout? Ragged = null,
    string DataName = Sessions.OutputSchema.Data,
    IReadOnlyDictionary<string, Array>? SyncDatasets = null)
{
    /// <summary>Elements of one window's data: N × product(SampleShape).</summary>
    public long ElementsPerWindow => SampleShape.Aggregate((long)PointsPerWindow, (a, d) => a * d);
}

/// <summary>One column of a modality's ragged datasets: its name and element type.</summary>
public sealed record RaggedColumn(string Name, SampleType Type);

/// <summary>
/// Datasets whose windows hold varying numbers of rows (the spikes of each window), stored as
/// columns of one length S and the offsets [W+1] of each window's rows (CSR): window w's rows
/// are [offsets[w], offsets[w+1]). The rows per window are known before the first window is
/// written (counted up front, as the other late figures are: docs/architecture.md, departure 1),
/// so the sink sizes every dataset at the start.
/// </summary>
/// <param name="Columns">The columns, each [S].</param>
/// <param name="WindowCounts">Rows of each window, [W].</param>
public sealed record RaggedLayout(IReadOnlyList<RaggedColumn> Columns, IReadOnlyList<long> WindowCounts)
{
    /// <summary>S: rows of all windows.</summary>
    public long TotalLength => WindowCounts.Sum();

    /// <summary>The offsets [W+1]: 0, then the running sums of the window counts.</summary>
    public long[] Offsets()
    {
        var offsets = new long[WindowCounts.Count + 1];
        for (int w = 0; w < WindowCounts.Count; w++)
        {
            offsets[w + 1] = offsets[w] + WindowCounts[w];
        }

        return offsets;
    }
}

/// <summary>One window's ragged rows: a growable array per column and the number of rows used.</summary>
public sealed class RaggedWindow
{
    private readonly RaggedColumn[] _columns;

    public RaggedWindow(IReadOnlyList<RaggedColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _columns = [.. columns];
        Columns = [.. _columns.Select(c => WindowBuffer.NewArray(c.Type, 256))];
    }

    /// <summary>The columns' arrays (typed: double[], int[]…); rows [0, Count) are this window's.</summary>
    public Array[] Columns { get; }

    /// <summary>Rows of this window.</summary>
    public int Count { get; set; }

    /// <summary>Room for at least <paramref name="rows"/> rows in every column, keeping rows [0, Count).</summary>
    public void EnsureCapacity(int rows)
    {
        for (int c = 0; c < Columns.Length; c++)
        {
            if (Columns[c].Length < rows)
            {
                Array grown = WindowBuffer.NewArray(_columns[c].Type, Math.Max(rows, (int)Math.Min(Array.MaxLength, Columns[c].Length * 2L)));
                Array.Copy(Columns[c], grown, Count);
                Columns[c] = grown;
            }
        }
    }
}

/// <summary>The whole export's layout.</summary>
/// <param name="WindowTimes">Requested times, reference clock, seconds.</param>
/// <param name="Modalities">The modalities, in output order.</param>
/// <param name="RootAttributes">Provenance attributes of the file.</param>
public sealed record ExportLayout(
    IReadOnlyList<double> WindowTimes,
    IReadOnlyList<ModalityLayout> Modalities,
    IReadOnlyDictionary<string, object> RootAttributes)
{
    /// <summary>Per-window labels (/windows/&lt;name&gt;), one value per window each; empty without an events table.</summary>
    public IReadOnlyList<WindowLabel> WindowLabels { get; init; } = [];
}

/// <summary>One window of one modality, as the aligner hands it to a sink. Buffers are reused between calls.</summary>
public sealed class WindowBuffer
{
    public WindowBuffer(ModalityLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Data = NewArray(layout.DataType, checked((int)layout.ElementsPerWindow));
        Timestamps = new double[layout.PointsPerWindow];
        SourceIndex = new long[layout.PointsPerWindow];
        SourceTime = new double[layout.PointsPerWindow];
        Mask = layout.HasMask ? new byte[layout.ElementsPerWindow] : null;
        Ragged = layout.Ragged is { } ragged ? new RaggedWindow(ragged.Columns) : null;
    }

    /// <summary>When the layout has ragged datasets: this window's rows of them.</summary>
    public RaggedWindow? Ragged { get; }

    /// <summary>
    /// The aligned samples, N × sample shape, in an array of the layout's element type (short[], float[]…).
    /// Not filled when <see cref="SourceData"/> holds them.
    /// </summary>
    public Array Data { get; }

    /// <summary>
    /// For sinks that take it (<see cref="IAlignedSink.TakesSourceData"/>): when not empty, the
    /// window's data as memory over the source recording itself, because the window is a run of
    /// consecutive samples stored exactly as they are output; <see cref="Data"/> was not filled.
    /// Valid until the stream is disposed, so a sink may write it on another thread (dispose the
    /// sink before the streams: it waits for a write in progress); a sink done
    /// with it calls <see cref="Memory.MappedFile.ReleaseMemory"/>, so that the recording's pages
    /// leave the process as the export passes them.
    /// </summary>
    public ReadOnlyMemory<byte> SourceData { get; set; }

    /// <summary>The same samples as bytes, machine byte order.</summary>
    public Span<byte> DataBytes => Data switch
    {
        byte[] a => a,
        sbyte[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        short[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ushort[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        int[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        uint[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        long[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ulong[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        float[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        double[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        _ => throw new InvalidOperationException("unsupported element array"),
    };

    /// <summary>Reference-clock time each output row stands for.</summary>
    public double[] Timestamps { get; }

    /// <summary>Source sample used for each row, -1 outside the recording.</summary>
    public long[] SourceIndex { get; }

    /// <summary>Reference-clock time of that source sample, NaN outside.</summary>
    public double[] SourceTime { get; }

    /// <summary>When the layout has a mask: 1 where the value passes the filter, 0 elsewhere (and outside the recording); shaped like <see cref="Data"/>.</summary>
    public byte[]? Mask { get; }

    /// <summary>The number of ones in <see cref="Mask"/> for this window.</summary>
    public long MaskOnes { get; set; }

    /// <summary>A zeroed array of <paramref name="length"/> elements of <paramref name="type"/>.</summary>
    public static Array NewArray(SampleType type, int length) => type switch
    {
        SampleType.UInt8 => new byte[length],
        SampleType.Int8 => new sbyte[length],
        SampleType.Int16 => new short[length],
        SampleType.UInt16 => new ushort[length],
        SampleType.Int32 => new int[length],
        SampleType.UInt32 => new uint[length],
        SampleType.Int64 => new long[length],
        SampleType.UInt64 => new ulong[length],
        SampleType.Float32 => new float[length],
        SampleType.Float64 => new double[length],
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };
}

/// <summary>
/// Where aligned windows go. A sink writes nothing that looks finished until <see cref="Complete"/>;
/// disposing it before then removes what it wrote.
/// </summary>
public interface IAlignedSink : IDisposable
{
    void Begin(ExportLayout layout);

    /// <summary>Writes window <paramref name="windowIndex"/> of modality <paramref name="modalityIndex"/>; windows arrive in order.</summary>
    void Write(int windowIndex, int modalityIndex, WindowBuffer window);

    /// <summary>Publishes the output: from here on it is complete.</summary>
    void Complete();

    /// <summary>
    /// Whether windows may come with <see cref="WindowBuffer.SourceData"/> instead of a filled
    /// <see cref="WindowBuffer.Data"/>: a sink that writes bytes out saves a copy of every window
    /// (and can write them while the next window is read). False by default.
    /// </summary>
    bool TakesSourceData => false;
}
