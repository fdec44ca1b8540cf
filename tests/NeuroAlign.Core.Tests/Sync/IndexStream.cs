using System.Buffers.Binary;
using NeuroAlign.Streams;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Sync;

/// <summary>
/// A stand-in for a video or fMRI stream: N samples on a given own clock, each one int32 holding its
/// own index, so a read sample names itself.
/// </summary>
public sealed class IndexStream(SampleClock clock, string formatName = "synthetic") : ISampleStream
{
    public string SourcePath => "synthetic-" + formatName;

    public string FormatName => formatName;

    public SampleClock Clock => clock;

    public SampleType ElementType => SampleType.Int32;

    public IReadOnlyList<int> SampleShape => [1];

    public IReadOnlyList<KeyValuePair<string, string>> Details => [];

    public void ReadSamples(ReadOnlySpan<long> indices, Span<byte> destination)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination[(i * 4)..], indices[i] < 0 ? 0 : (int)indices[i]);
        }
    }

    public void Dispose()
    {
    }
}
