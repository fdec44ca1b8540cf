using NeuroAlign.Formats.Containers;
using NeuroAlign.Formats.Kilosort;
using NeuroAlign.Time;

namespace NeuroAlign.Modalities.Spikes;

/// <summary>Reads sorted units from a container (an NWB Units table) for the spikes modality.</summary>
public interface ISpikesOpener : IContainerOpener
{
    /// <summary>Sorted units: their spikes on a clock of the file's own seconds.</summary>
    ContainerSpikes ReadSpikes(string path);
}

/// <summary>Sorted spikes read from a container, with the clock their sample numbers count.</summary>
/// <param name="Spikes">The spikes: sample k is sample k of <paramref name="Clock"/>.</param>
/// <param name="Clock">Times in the file's own seconds.</param>
/// <param name="ClockDescription">How the clock was made, in words, for info.</param>
public sealed record ContainerSpikes(SortedSpikes Spikes, SampleClock Clock, string ClockDescription);
