using System.Runtime.InteropServices;
using NeuroAlign.Formats.Kilosort;
using NeuroAlign.Modalities.Spikes;
using NeuroAlign.Streams;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Streams.Conformance;

/// <summary>
/// Sorted spikes as a sample stream: sample k of a 200-sample recording at 1 kHz from 0.5 s holds,
/// per kept unit (ids 2 and 9 of 2, 5, 9), the spikes at sample k; two spikes share sample 40.
/// </summary>
public sealed class SpikeStreamConformanceTests : SampleStreamConformance<SpikeStream>
{
    private static readonly long[] Samples = [0, 3, 3, 40, 40, 41, 100, 150, 199];
    private static readonly int[] Clusters = [2, 5, 9, 9, 2, 9, 5, 2, 9];
    private readonly TempFolder _folder = new();

    protected override long ExpectedSampleCount => 200;

    protected override string ExpectedFormatName => "kilosort";

    protected override SampleType ExpectedElementType => SampleType.UInt16;

    protected override IReadOnlyList<int> ExpectedSampleShape => [2];

    protected override bool ExpectsSourceMemory => false;

    protected override SpikeStream OpenStream()
    {
        if (!File.Exists(_folder.File("params.py")))
        {
            SyntheticKilosort.Write(_folder.Path, KilosortLayout.Kilosort25, Samples, Clusters, "x.bin", 1000);
        }

        SortedSpikes spikes = SortedSpikes.Open(_folder.Path, new SortedSpikesOptions());
        return new SpikeStream(spikes, [.. spikes.Units.Where(u => u.Id != 5)], new RegularClock(0.5, 1000, 200), "test");
    }

    protected override void ExpectedSample(long index, Span<byte> destination)
    {
        Span<ushort> counts = MemoryMarshal.Cast<byte, ushort>(destination);
        counts.Clear();
        for (int i = 0; i < Samples.Length; i++)
        {
            if (Samples[i] == index && Clusters[i] != 5)
            {
                counts[Clusters[i] == 2 ? 0 : 1]++;
            }
        }
    }

    protected override double ExpectedTimeSeconds(long index) => 0.5 + (index / 1000.0);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _folder.Dispose();
    }
}
