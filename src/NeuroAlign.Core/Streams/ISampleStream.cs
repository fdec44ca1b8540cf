using NeuroAlign.Time;

namespace NeuroAlign.Streams;

/// <summary>
/// What the aligner needs of any recording: samples 0..N-1 on the stream's own clock, each a
/// fixed-shape array of one element type (an ephys sample: C channels; a video frame: H × W [× 3];
/// an fMRI volume: X × Y × Z).
/// </summary>
public interface ISampleStream : IDisposable
{
    /// <summary>The file (or folder) the stream reads.</summary>
    string SourcePath { get; }

    /// <summary>Short format name: raw, spikeglx, openephys, npy, nifti, video…</summary>
    string FormatName { get; }

    /// <summary>The stream's own clock.</summary>
    SampleClock Clock { get; }

    /// <summary>Element type of the samples <see cref="ReadSamples"/> writes.</summary>
    SampleType ElementType { get; }

    /// <summary>Shape of one sample, outermost first.</summary>
    IReadOnlyList<int> SampleShape { get; }

    /// <summary>
    /// Copies the samples at <paramref name="indices"/> (each in 0..N-1, or -1 for "outside the
    /// recording", written as zeros) into <paramref name="destination"/>, one after another, in the
    /// machine's byte order. Indices are typically increasing; implementations may rely on that for speed.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An index past the end, or negative other than -1.</exception>
    /// <exception cref="ArgumentException">The destination is smaller than the samples asked for.</exception>
    /// <exception cref="ObjectDisposedException">The stream was disposed.</exception>
    void ReadSamples(ReadOnlySpan<long> indices, Span<byte> destination);

    /// <summary>
    /// A hint that samples [start, start + count) will not be read again soon: a memory-mapped
    /// stream drops their pages from the process (they stay in the page cache and fault back in
    /// if read), so the resident size of a pass over a long recording stays flat. Does nothing by default.
    /// </summary>
    void ReleaseSamples(long startSample, long sampleCount)
    {
    }

    /// <summary>
    /// Samples [start, start + count) as memory over the source itself, without copying, when the
    /// storage holds them exactly as <see cref="ReadSamples"/> would write them (a mapped recording
    /// in the machine's byte order). The memory is read-only and valid until the stream is
    /// disposed. False (nothing in place) by default.
    /// </summary>
    bool TryGetSourceMemory(long startSample, int sampleCount, out ReadOnlyMemory<byte> samples)
    {
        samples = default;
        return false;
    }

    /// <summary>
    /// Format-specific facts for `neuro-align info` and the output's attributes, as (name, value)
    /// pairs in display order: gains, where the timing came from, codec, scaling…
    /// </summary>
    IReadOnlyList<KeyValuePair<string, string>> Details { get; }
}

/// <summary>Helpers over <see cref="ISampleStream"/>.</summary>
public static class SampleStreamExtensions
{
    /// <summary>Elements in one sample (product of <see cref="ISampleStream.SampleShape"/>).</summary>
    public static int ElementsPerSample(this ISampleStream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        long product = 1;
        foreach (int d in stream.SampleShape)
        {
            product *= d;
        }

        return checked((int)product);
    }

    /// <summary>Bytes in one sample.</summary>
    public static int BytesPerSample(this ISampleStream stream) => stream.ElementsPerSample() * stream.ElementType.SizeOf();
}
