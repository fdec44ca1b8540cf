using NeuroAlign.Alignment;
using NeuroAlign.Formats.Kilosort;
using NeuroAlign.Modalities.Spikes;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Alignment;

/// <summary>Binning events on the window grid, against a brute-force count of every event in every bin.</summary>
public sealed class EventBinnerTests
{
    [Theory]
    [InlineData(0.0, 0.5, 1000.0, false)]
    [InlineData(0.2, 0.3, 250.0, true)]
    [InlineData(1.0, 0.0, 30.0, true)]
    public void Bin_RandomSpikesThroughALinearMap_EqualsBruteForce(double before, double after, double rate, bool leaveOutAUnit)
    {
        using var folder = new TempFolder();
        var random = new Random(7);
        long[] samples = [.. Enumerable.Range(0, 5000).Select(_ => random.NextInt64(600_000)).Order()];
        int[] clusters = [.. samples.Select(_ => random.Next(4) * 3)];
        SyntheticKilosort.Write(folder.Path, KilosortLayout.Kilosort4, samples, clusters, "x.bin", 30000);
        SortedSpikes spikes = SortedSpikes.Open(folder.Path, new SortedSpikesOptions());
        SortedUnit[] units = [.. spikes.Units.Where(u => !leaveOutAUnit || u.Id != 3)];
        using var stream = new SpikeStream(spikes, units, new RegularClock(2.0, 30000, 600_000), "test");
        var map = ClockMap.Linear(1 - 37e-6, -1.75);
        var timeline = new StreamTimeline(stream.Clock, map);
        var grid = new SamplingGrid(before, after, rate);
        var binner = new EventBinner(stream, timeline, grid);
        double[] reference = [.. samples.Select(s => timeline.ReferenceTimeOf(s))];
        int[] unitOf = [.. clusters.Select(c => Array.FindIndex(units, u => u.Id == c))];
        var counts = new ushort[grid.PointCount * units.Length];
        var list = new RaggedWindow(EventBinner.ListColumns);

        // Windows before, across the start, inside (overlapping), across the end and after the spikes.
        foreach (double t in new[] { -3.0, 0.1, 0.3, 5.0, 5.2, 11.9, 18.3, 40 })
        {
            binner.Bin(t, counts, list);

            var expected = new ushort[counts.Length];
            var listed = new List<(double, int)>();
            for (int i = 0; i < samples.Length; i++)
            {
                if (unitOf[i] < 0)
                {
                    continue;
                }

                for (int k = 0; k < grid.PointCount; k++)
                {
                    if (reference[i] >= grid.TimeAt(t, k) && reference[i] < grid.TimeAt(t, k + 1))
                    {
                        expected[(k * units.Length) + unitOf[i]]++;
                    }
                }

                if (reference[i] >= t - before && reference[i] < t + after)
                {
                    listed.Add((reference[i], unitOf[i]));
                }
            }

            Assert.Equal(expected, counts);
            Assert.Equal(listed.Count, list.Count);
            Assert.Equal(listed.Select(l => l.Item1), ((double[])list.Columns[0]).Take(list.Count));
            Assert.Equal(listed.Select(l => l.Item2), ((int[])list.Columns[1]).Take(list.Count));
            Assert.Equal(listed.Count, binner.CountListed(t));
        }
    }
}
