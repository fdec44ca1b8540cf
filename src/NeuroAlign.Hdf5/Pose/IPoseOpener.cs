using NeuroAlign.Formats.Containers;
using NeuroAlign.Formats.Pose;
using NeuroAlign.Time;

namespace NeuroAlign.Hdf5.Pose;

/// <summary>Reads pose from a container (an ndx-pose PoseEstimation of an NWB file) for the pose modality.</summary>
public interface IPoseOpener : IContainerOpener
{
    /// <summary>The pose rows, timed in the file's own seconds.</summary>
    ContainerPose ReadPose(string path);
}

/// <summary>Pose rows read from a container, on the file's clock.</summary>
/// <param name="Data">The rows: one individual (the PoseEstimation's name), a bodypart per PoseEstimationSeries.</param>
/// <param name="Clock">The rows' times in the file's seconds.</param>
/// <param name="Timing">How the rows are timed, in words.</param>
/// <param name="Warnings">What looked wrong (timestamps that are frame numbers).</param>
public sealed record ContainerPose(PoseData Data, SampleClock Clock, string Timing, IReadOnlyList<string> Warnings);
