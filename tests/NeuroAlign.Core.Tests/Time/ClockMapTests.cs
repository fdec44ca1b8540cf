using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Time;

public class ClockMapTests
{
    public static TheoryData<ClockMap> Maps => new()
    {
        ClockMap.Identity,
        ClockMap.Offset(0.3),
        ClockMap.Offset(-177385 / 30_000.0),
        ClockMap.Linear(1 + 80e-6, 0.3),
        ClockMap.Linear(1 - 20e-6, -12.5),
        new PiecewiseLinearClockMap([0, 100, 200, 600], [0.3, 100.308, 200.3085, 600.33]),
    };

    [Theory]
    [MemberData(nameof(Maps))]
    public void ToOwn_AfterToReference_RoundTrips(ClockMap map)
    {
        var random = new Random(11);
        for (int i = 0; i < 10_000; i++)
        {
            double own = (random.NextDouble() * 1000) - 100;
            Assert.Equal(own, map.ToOwn(map.ToReference(own)), 9);
        }
    }

    [Theory]
    [MemberData(nameof(Maps))]
    public void Locate_ReferenceTimeOfEverySample_ReturnsThatSample(ClockMap map)
    {
        var clock = new RegularClock(2.0, 30.0 / 1.001, 200_000);
        var timeline = new StreamTimeline(clock, map);

        for (long k = 0; k < clock.SampleCount; k++)
        {
            long found = timeline.Locate(timeline.ReferenceTimeOf(k), IndexMode.Previous).Index;
            if (found != k)
            {
                Assert.Fail($"{map.Describe()}: sample {k} came back as {found}");
            }
        }
    }

    [Fact]
    public void Linear_DriftPpm_IsSlopeMinusOne()
    {
        var map = (LinearClockMap)ClockMap.Linear(1 + 80e-6, 0.3);

        Assert.Equal(80, map.DriftPpm, 6);
        Assert.Equal(600 * (1 + 80e-6) + 0.3, map.ToReference(600), 12);
    }

    [Fact]
    public void Piecewise_BeyondKnots_ExtendsEndSegments()
    {
        var map = new PiecewiseLinearClockMap([0, 10], [1, 21]);

        Assert.Equal(-1, map.ToReference(-1), 12);
        Assert.Equal(41, map.ToReference(20), 12);
        Assert.Equal(5, map.ToOwn(11), 12);
    }
}
