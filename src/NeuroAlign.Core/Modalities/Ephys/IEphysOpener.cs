using NeuroAlign.Formats;
using NeuroAlign.Formats.Containers;

namespace NeuroAlign.Modalities.Ephys;

/// <summary>Reads a continuous series from a container (an NWB ElectricalSeries) for the ephys modality (<see cref="EphysReader.Open"/>).</summary>
public interface IEphysOpener : IContainerOpener
{
    /// <summary>A continuous ephys series, read lazily; its clock counts the file's own seconds.</summary>
    EphysRecording OpenEphys(string path);
}
