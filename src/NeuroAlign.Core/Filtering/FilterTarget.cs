using NeuroAlign.Streams;

namespace NeuroAlign.Filtering;

/// <summary>
/// What a compiled filter evaluates: one modality's window data, C-order [points × elements per
/// sample] of one element type, with how stored values become <c>signal</c> and which channel each
/// element belongs to.
/// </summary>
public sealed class FilterTarget
{
    /// <param name="kind">The modality: decides the unit of <c>signal</c> and whether <c>channel</c> exists.</param>
    /// <param name="elementType">Element type of the window data.</param>
    /// <param name="elementsPerSample">Elements of one sample: channels for ephys, pixels (× 3) for video, voxels for fMRI.</param>
    /// <param name="gains">
    /// Factor from a stored value to <c>signal</c>, one per element of a sample (ephys: gain to µV per
    /// channel); null means the stored value is the signal.
    /// </param>
    /// <param name="channelIds">Channel ids, one per element of a sample (ephys only).</param>
    public FilterTarget(ModalityKind kind, SampleType elementType, int elementsPerSample, IReadOnlyList<double>? gains = null, IReadOnlyList<int>? channelIds = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(elementsPerSample, 1);
        if (gains is not null && gains.Count != elementsPerSample)
        {
            throw new ArgumentException($"{gains.Count} gains for {elementsPerSample} elements per sample", nameof(gains));
        }

        if (channelIds is not null && channelIds.Count != elementsPerSample)
        {
            throw new ArgumentException($"{channelIds.Count} channel ids for {elementsPerSample} elements per sample", nameof(channelIds));
        }

        if (channelIds is not null && kind != ModalityKind.Ephys)
        {
            throw new ArgumentException("channel ids belong to ephys targets only", nameof(channelIds));
        }

        Kind = kind;
        ElementType = elementType;
        ElementsPerSample = elementsPerSample;
        Gains = gains?.ToArray();
        ChannelIds = channelIds?.ToArray();
    }

    public ModalityKind Kind { get; }

    public SampleType ElementType { get; }

    public int ElementsPerSample { get; }

    /// <summary>Per-element factor to <c>signal</c>, or null.</summary>
    public IReadOnlyList<double>? Gains { get; }

    /// <summary>Per-element channel ids (ephys), or null.</summary>
    public IReadOnlyList<int>? ChannelIds { get; }

    /// <summary>
    /// The target for a stream as the aligner outputs it: <paramref name="outputElementType"/> is the
    /// stored type, or float32 when samples are interpolated. Continuous streams bring their gains
    /// and channel ids.
    /// </summary>
    public static FilterTarget ForStream(ModalityKind kind, ISampleStream stream, SampleType outputElementType)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream is ContinuousStream continuous
            ? new FilterTarget(
                kind,
                outputElementType,
                continuous.ChannelCount,
                continuous.GainsToMicrovolts,
                kind == ModalityKind.Ephys ? continuous.ChannelIds : null)
            : new FilterTarget(kind, outputElementType, stream.ElementsPerSample());
    }
}
