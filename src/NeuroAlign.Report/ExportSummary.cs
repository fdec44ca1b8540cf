using System.Globalization;
using NeuroAlign.Alignment;
using NeuroAlign.Hdf5;
using NeuroAlign.Sessions;

namespace NeuroAlign.Report;

/// <summary>
/// An export opened for its report: the reader (which reads a window only when asked), the root
/// facts, each stream's span on the reference clock and which windows reach outside one.
/// </summary>
public sealed class ExportSummary : IDisposable
{
    private ExportSummary(ExportFileReader reader)
    {
        Reader = reader;
        BeforeSeconds = Number(reader.RootAttributes, OutputSchema.BeforeAttribute) ?? 0;
        AfterSeconds = Number(reader.RootAttributes, OutputSchema.AfterAttribute) ?? 0;
        var spans = Modalities.Select(Span).Where(s => s is not null).Select(s => s!.Value).ToArray();
        IncompleteWindows = TimelineFigure.Incomplete(WindowTimes, BeforeSeconds, AfterSeconds, spans);
    }

    /// <summary>The export's reader.</summary>
    public ExportFileReader Reader { get; }

    public IReadOnlyList<double> WindowTimes => Reader.WindowTimes;

    public IReadOnlyList<ModalityLayout> Modalities => Reader.Modalities;

    public IReadOnlyDictionary<string, object> RootAttributes => Reader.RootAttributes;

    public double BeforeSeconds { get; }

    public double AfterSeconds { get; }

    /// <summary>Per window: whether it reaches outside any stream's span.</summary>
    public bool[] IncompleteWindows { get; }

    /// <summary>Opens an export (a one-line error for a file that is not one).</summary>
    public static ExportSummary Open(string path) => new(ExportFileReader.Open(path));

    /// <summary>The stream's span on the reference clock (reference_start_s, reference_end_s); null in files written before they were kept.</summary>
    public static (double Start, double End)? Span(ModalityLayout m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return Number(m.Attributes, OutputSchema.ReferenceStartAttribute) is { } start && Number(m.Attributes, OutputSchema.ReferenceEndAttribute) is { } end
            && double.IsFinite(start) && double.IsFinite(end)
            ? (start, end)
            : null;
    }

    /// <summary>The stream's gaps on the reference clock (the reference_gaps_s dataset), in time order; none when it has none.</summary>
    public static IReadOnlyList<(double Start, double End)> Gaps(ModalityLayout m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return m.ExtraDatasets.TryGetValue(OutputSchema.ReferenceGaps, out Array? v) && v is double[,] table && table.GetLength(1) == 2
            ? [.. Enumerable.Range(0, table.GetLength(0)).Select(i => (table[i, 0], table[i, 1]))]
            : [];
    }

    /// <summary>A video's repeated frames on the reference clock (the repeated_frame_times_s dataset); none when it has none.</summary>
    public static IReadOnlyList<double> RepeatedFrames(ModalityLayout m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return m.ExtraDatasets.TryGetValue(OutputSchema.RepeatedFrameTimes, out Array? v) && v is double[] times ? times : [];
    }

    /// <summary>A numeric attribute, or null.</summary>
    public static double? Number(IReadOnlyDictionary<string, object> attributes, string name)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        return attributes.TryGetValue(name, out object? v) && v is double or long or int ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>A string attribute, or null.</summary>
    public static string? Text(IReadOnlyDictionary<string, object> attributes, string name)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        return attributes.TryGetValue(name, out object? v) ? Convert.ToString(v, CultureInfo.InvariantCulture) : null;
    }

    /// <summary>
    /// Windows to draw: the first, the middle and the last (distinct), preferring complete ones near
    /// each; at most <paramref name="count"/>.
    /// </summary>
    public IReadOnlyList<int> WindowsToDraw(int count = 3)
    {
        int n = WindowTimes.Count;
        if (n == 0 || count <= 0)
        {
            return [];
        }

        var picked = new SortedSet<int>();
        foreach (int target in Enumerable.Range(0, count).Select(i => count == 1 ? 0 : (int)Math.Round(i * (n - 1) / (double)(count - 1))))
        {
            // The nearest complete window within 10 of the target, else the target itself.
            int best = Enumerable.Range(Math.Max(0, target - 10), Math.Min(n, target + 11) - Math.Max(0, target - 10))
                .Where(w => !IncompleteWindows[w]).OrderBy(w => Math.Abs(w - target)).DefaultIfEmpty(target).First();
            picked.Add(best);
        }

        return [.. picked];
    }

    public void Dispose() => Reader.Dispose();
}
