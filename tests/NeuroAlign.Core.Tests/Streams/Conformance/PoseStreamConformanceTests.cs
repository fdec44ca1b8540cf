using System.Runtime.InteropServices;
using NeuroAlign.Formats.Pose;
using NeuroAlign.Streams;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Streams.Conformance;

/// <summary>
/// A pose stream of 300 rows, 2 individuals × 3 bodyparts, whose value (x, y, score) at row r,
/// individual i, bodypart k is (r + i / 2 + k / 8, -r, k / 4), on a camera's clock with a dropped
/// frame (the row after 149 comes two frame intervals later).
/// </summary>
public sealed class PoseStreamConformanceTests : SampleStreamConformance<PoseStream>
{
    private const int Rows = 300, Individuals = 2, Bodyparts = 3;

    protected override long ExpectedSampleCount => Rows;

    protected override string ExpectedFormatName => "deeplabcut";

    protected override SampleType ExpectedElementType => SampleType.Float32;

    protected override IReadOnlyList<int> ExpectedSampleShape => [Individuals, Bodyparts, 3];

    protected override bool ExpectsSourceMemory => false;

    protected override PoseStream OpenStream()
    {
        var values = new float[Rows * Individuals * Bodyparts * 3];
        for (int r = 0; r < Rows; r++)
        {
            Value(r, values.AsSpan(r * Individuals * Bodyparts * 3, Individuals * Bodyparts * 3));
        }

        var data = new PoseData("synthetic.csv", "deeplabcut", "likelihood", ["a", "b"], ["nose", "ear", "tail"], Rows, values, []);
        double[] times = Enumerable.Range(0, Rows).Select(i => ExpectedTimeSeconds(i)).ToArray();
        return new PoseStream(data, new ExplicitClock(times, 1 / 60.0), "test camera", "camera");
    }

    protected override void ExpectedSample(long index, Span<byte> destination) => Value((int)index, MemoryMarshal.Cast<byte, float>(destination));

    protected override double ExpectedTimeSeconds(long index) => 0.25 + ((index + (index >= 150 ? 1 : 0)) / 60.0);

    private static void Value(int r, Span<float> sample)
    {
        for (int i = 0; i < Individuals; i++)
        {
            for (int k = 0; k < Bodyparts; k++)
            {
                int at = ((i * Bodyparts) + k) * 3;
                sample[at] = r + (i / 2f) + (k / 8f);
                sample[at + 1] = -r;
                sample[at + 2] = k / 4f;
            }
        }
    }
}
