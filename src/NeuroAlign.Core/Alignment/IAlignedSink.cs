using NeuroAlign.Streams;

namespace NeuroAlign.Alignment;

/// <summary>What a sink must know before the first window: every dataset's shape and type.</summary>
/// <param name="Name">Group name: ephys, video, fmri…</param>
/// <param name="DataType">Element type of /m/data.</param>
/// <param name="SampleShape">Shape of one sample (channels; height, width; x, y, z).</param>
/// <param name="PointsPerWindow">N, the grid points of one window.</param>
/// <param name="Attributes">Attributes of the group.</param>
/// <param name="ExtraDatasets">Datasets written once in the group.</param>
public sealed record ModalityLayout(
    string Name,
    SampleType DataType,
    IReadOnlyList<int> SampleShape,
    int PointsPerWindow,
    IReadOnlyDictionary<string, object> Attributes,
    IReadOnlyDictionary<string, Array> ExtraDatasets)
{
    /// <summary>Elements of one window's data: N × product(SampleShape).</summary>
    public long ElementsPerWindow => SampleShape.Aggregate((long)PointsPerWindow, (a, d) => a * d);
}

/// <summary>The whole export's layout.</summary>
/// <param name="WindowTimes">Requested times, reference clock, seconds.</param>
/// <param name="Modalities">The modalities, in output order.</param>
/// <param name="RootAttributes">Provenance attributes of the file.</param>
public sealed record ExportLayout(
    IReadOnlyList<double> WindowTimes,
    IReadOnlyList<ModalityLayout> Modalities,
    IReadOnlyDictionary<string, object> RootAttributes);

/// <summary>One window of one modality, as the aligner hands it to a sink. Buffers are reused between calls.</summary>
public sealed class WindowBuffer
{
    public WindowBuffer(ModalityLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Data = new byte[checked((int)(layout.ElementsPerWindow * layout.DataType.SizeOf()))];
        Timestamps = new double[layout.PointsPerWindow];
        SourceIndex = new long[layout.PointsPerWindow];
        SourceTime = new double[layout.PointsPerWindow];
    }

    /// <summary>The aligned samples, machine byte order, N × sample shape.</summary>
    public byte[] Data { get; }

    /// <summary>Reference-clock time each output row stands for.</summary>
    public double[] Timestamps { get; }

    /// <summary>Source sample used for each row, -1 outside the recording.</summary>
    public long[] SourceIndex { get; }

    /// <summary>Reference-clock time of that source sample, NaN outside.</summary>
    public double[] SourceTime { get; }
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

    /// <summary>Adds the final attributes (figures known only at the end) and publishes the output.</summary>
    void Complete(IReadOnlyDictionary<string, object> finalRootAttributes, IReadOnlyList<IReadOnlyDictionary<string, object>> finalModalityAttributes);
}
