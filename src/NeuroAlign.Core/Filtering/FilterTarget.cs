using NeuroAlign.Streams;

namespace NeuroAlign.Filtering;

/// <summary>
/// What a compiled filter evaluates: one stream's window data, C-order [points × elements per
/// sample] of one element type, with its scope's variables, how stored values become
/// <c>signal</c> and which channel each element belongs to.
/// </summary>
public sealed class FilterTarget
{
    /// <param name="scope">The stream's scope (its modality's, with the file's columns): which names exist and what they are.</param>
    /// <param name="elementType">Element type of the window data.</param>
    /// <param name="elementsPerSample">Elements of one sample: channels for ephys, pixels (× 3) for video, voxels for fMRI, columns for a table.</param>
    /// <param name="gains">
    /// Factor from a stored value to <c>signal</c>, one per element of a sample (ephys: gain to µV per
    /// channel); null means the stored value is the signal.
    /// </param>
    /// <param name="channelIds">Channel ids, one per element of a sample (for a scope with <c>channel</c>).</param>
    /// <param name="streamName">The stream's name, which a rule's scope may give; the scope's name when null.</param>
    public FilterTarget(FilterScope scope, SampleType elementType, int elementsPerSample, IReadOnlyList<double>? gains = null, IReadOnlyList<int>? channelIds = null, string? streamName = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentOutOfRangeException.ThrowIfLessThan(elementsPerSample, 1);
        if (gains is not null && gains.Count != elementsPerSample)
        {
            throw new ArgumentException($"{gains.Count} gains for {elementsPerSample} elements per sample", nameof(gains));
        }

        if (channelIds is not null && channelIds.Count != elementsPerSample)
        {
            throw new ArgumentException($"{channelIds.Count} channel ids for {elementsPerSample} elements per sample", nameof(channelIds));
        }

        if (scope.Variables.FirstOrDefault(v => v.Source == VariableSource.Column && v.Index >= elementsPerSample) is { } column)
        {
            throw new ArgumentException($"column variable {column.Name} reads column {column.Index} of {elementsPerSample}", nameof(scope));
        }

        Stream = new FilterStream(streamName ?? scope.Name, scope);
        ElementType = elementType;
        ElementsPerSample = elementsPerSample;
        Gains = gains?.ToArray();
        ChannelIds = channelIds?.ToArray();
    }

    /// <summary>The stream's name and scope.</summary>
    public FilterStream Stream { get; }

    public FilterScope Scope => Stream.Scope;

    public SampleType ElementType { get; }

    public int ElementsPerSample { get; }

    /// <summary>Per-element factor to <c>signal</c>, or null.</summary>
    public IReadOnlyList<double>? Gains { get; }

    /// <summary>Per-element channel ids, or null.</summary>
    public IReadOnlyList<int>? ChannelIds { get; }

    /// <summary>
    /// The target for a stream as the aligner outputs it: <paramref name="outputElementType"/> is the
    /// stored type, or float32 when samples are interpolated. Continuous streams bring their gains,
    /// and their channel ids when the scope reads <c>channel</c>.
    /// </summary>
    public static FilterTarget ForStream(FilterStream target, ISampleStream stream, SampleType outputElementType)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(stream);
        bool channels = target.Scope.Variables.Any(v => v.Source == VariableSource.Channel);
        return stream is ContinuousStream continuous
            ? new FilterTarget(
                target.Scope,
                outputElementType,
                continuous.ChannelCount,
                continuous.GainsToMicrovolts,
                channels ? continuous.ChannelIds : null,
                target.Name)
            : new FilterTarget(target.Scope, outputElementType, stream.ElementsPerSample(), streamName: target.Name);
    }
}
