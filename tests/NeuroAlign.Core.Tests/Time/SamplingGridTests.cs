using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Time;

public class SamplingGridTests
{
    [Theory]
    [InlineData(0, 1, 30_000, 30_000)]
    [InlineData(0.5, 1, 30_000, 45_000)]
    [InlineData(0, 1, 30.0 / 1.001, 30)]
    [InlineData(0, 1, 0.5, 1)]
    [InlineData(2, 2, 1 / 0.8, 5)]
    [InlineData(0, 0.0001, 60, 1)]
    public void PointCount_IsRoundedDurationTimesRate(double before, double after, double rate, int expected) =>
        Assert.Equal(expected, new SamplingGrid(before, after, rate).PointCount);

    [Fact]
    public void TimeAt_StartsAtTimeMinusBefore()
    {
        var grid = new SamplingGrid(0.5, 1, 1000);

        Assert.Equal(2.0, grid.TimeAt(2.5, 0), 12);
        Assert.Equal(2.5, grid.TimeAt(2.5, 500), 12);
    }

    [Fact]
    public void Constructor_EmptyWindow_Throws() =>
        Assert.Throws<NeuroAlignException>(() => new SamplingGrid(0, 0, 1000));
}
