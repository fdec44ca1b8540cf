using NeuroAlign.Formats.Containers;
using NeuroAlign.Formats.TimedTable;

namespace NeuroAlign.Modalities.Table;

/// <summary>Reads a series of numbers from a container (an NWB TimeSeries, SpatialSeries) as a timestamped table.</summary>
public interface ITableOpener : IContainerOpener
{
    /// <summary>The series as a table of float32 columns, read lazily; its clock counts the file's own seconds.</summary>
    ITableStream OpenTable(string path);
}
