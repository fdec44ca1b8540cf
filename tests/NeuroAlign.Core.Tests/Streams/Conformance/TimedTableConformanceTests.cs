using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using NeuroAlign.Formats.TimedTable;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Streams.Conformance;

/// <summary>
/// A timestamped table of 300 rows at irregular times (t_k = 0.2 + 0.01 k + 0.003 (k mod 3)), a
/// text column left out and two numeric columns whose values are exact in float32.
/// </summary>
public sealed class TimedTableConformanceTests : SampleStreamConformance<TimedTableStream>
{
    private const int Rows = 300;
    private readonly TempFolder _folder = new();

    protected override long ExpectedSampleCount => Rows;

    protected override string ExpectedFormatName => TimedTableStream.Format;

    protected override SampleType ExpectedElementType => SampleType.Float32;

    protected override IReadOnlyList<int> ExpectedSampleShape => [2];

    protected override bool ExpectsSourceMemory => false;

    private static double Time(long k) => 0.2 + (0.01 * k) + (0.003 * (k % 3));

    private static float Value(long k, int c) => (float)((k * (c + 1)) - 17.25);

    protected override TimedTableStream OpenStream()
    {
        string path = _folder.File("wheel.csv");
        if (!File.Exists(path))
        {
            var text = new StringBuilder("label,time,position,lick\n");
            for (long k = 0; k < Rows; k++)
            {
                text.Append(CultureInfo.InvariantCulture, $"x{k},{Time(k):R},{Value(k, 0):R},{Value(k, 1):R}\n");
            }

            File.WriteAllText(path, text.ToString());
        }

        return TimedTableStream.Open(path);
    }

    protected override void ExpectedSample(long index, Span<byte> destination)
    {
        Span<float> values = MemoryMarshal.Cast<byte, float>(destination);
        values[0] = Value(index, 0);
        values[1] = Value(index, 1);
    }

    protected override double ExpectedTimeSeconds(long index) => Time(index);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _folder.Dispose();
    }
}
