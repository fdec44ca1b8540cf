namespace NeuroAlign.Alignment;

/// <summary>Keeps every window in memory: for tests and for library users who align a few windows.</summary>
public sealed class MemorySink : IAlignedSink
{
    public ExportLayout? Layout { get; private set; }

    /// <summary>Per modality, per window: copies of what the aligner wrote.</summary>
    public List<List<(Array Data, double[] Timestamps, long[] SourceIndex, double[] SourceTime)>> Windows { get; } = [];

    /// <summary>Per modality, per window: copies of the masks (empty lists for modalities without a filter).</summary>
    public List<List<byte[]>> Masks { get; } = [];

    /// <summary>Per modality, per window: copies of the ragged rows, one trimmed array per column (empty lists for modalities without).</summary>
    public List<List<Array[]>> Ragged { get; } = [];

    public bool Completed { get; private set; }

    public void Begin(ExportLayout layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        Layout = layout;
        foreach (var unused in layout.Modalities)
        {
            Windows.Add([]);
            Masks.Add([]);
            Ragged.Add([]);
        }
    }

    public void Write(int windowIndex, int modalityIndex, WindowBuffer window)
    {
        ArgumentNullException.ThrowIfNull(window);
        Windows[modalityIndex].Add(((Array)window.Data.Clone(), (double[])window.Timestamps.Clone(), (long[])window.SourceIndex.Clone(), (double[])window.SourceTime.Clone()));
        if (window.Mask is not null)
        {
            Masks[modalityIndex].Add((byte[])window.Mask.Clone());
        }

        if (window.Ragged is { } ragged)
        {
            Ragged[modalityIndex].Add([.. ragged.Columns.Select(c =>
            {
                Array rows = Array.CreateInstance(c.GetType().GetElementType()!, ragged.Count);
                Array.Copy(c, rows, ragged.Count);
                return rows;
            })]);
        }
    }

    public void Complete() => Completed = true;

    public void Dispose()
    {
    }
}
