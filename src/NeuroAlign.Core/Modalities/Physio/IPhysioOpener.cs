using NeuroAlign.Formats.Containers;
using NeuroAlign.Formats.TimedTable;

namespace NeuroAlign.Modalities.Physio;

/// <summary>Reads a physiological series from a container (an NWB TimeSeries: respiration, pulse, ECG) for the physio modality.</summary>
public interface IPhysioOpener : IContainerOpener
{
    /// <summary>The series as float32 columns, read lazily; its clock counts the file's own seconds.</summary>
    ITableStream OpenPhysio(string path);
}
