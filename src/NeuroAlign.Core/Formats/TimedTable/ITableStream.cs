using NeuroAlign.Streams;

namespace NeuroAlign.Formats.TimedTable;

/// <summary>
/// A stream the table modality writes (<c>--table</c>): float32 samples [C], one per row at its own
/// time, with the columns' names and where the times came from. A CSV/TSV/.npy table
/// (<see cref="TimedTableStream"/>, read whole) or a behaviour series of a container file (an NWB
/// TimeSeries, read lazily).
/// </summary>
public interface ITableStream : ISampleStream
{
    /// <summary>Where the row times come from: the time column's name, or how a series is timed.</summary>
    string TimeColumn { get; }

    /// <summary>The channels' names, in sample order.</summary>
    IReadOnlyList<string> Columns { get; }

    /// <summary>Further facts the output group carries as attributes (an NWB series' unit, reference frame); empty for plain tables.</summary>
    IReadOnlyList<KeyValuePair<string, string>> OutputAttributes { get; }
}
