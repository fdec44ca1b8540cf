using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Time;

public class ExplicitClockTests
{
    [Fact]
    public void IndexAtOrBefore_EveryTimestamp_ReturnsItsIndex()
    {
        var random = new Random(3);
        var times = new double[100_000];
        double t = -2.0;
        for (int i = 0; i < times.Length; i++)
        {
            t += 1 / 60.0 * (0.5 + random.NextDouble());
            times[i] = t;
        }

        var clock = new ExplicitClock(times);

        for (int i = 0; i < times.Length; i++)
        {
            Assert.Equal(i, clock.IndexAtOrBefore(times[i]));
            Assert.Equal(i, clock.Locate(times[i] - 1e-10, IndexMode.Previous).Index);
        }
    }

    [Fact]
    public void Describe_OneTime_SaysNoRateInsteadOfNaN()
    {
        Assert.Equal("explicit (frames.txt): 1 time, 2.5 s (no rate)", new ExplicitClock([2.5], sourceDescription: "frames.txt").Describe());
        Assert.Equal("explicit (frames.txt): 3 times from 0 s to 1 s, mean rate 2 Hz", new ExplicitClock([0, 0.5, 1], sourceDescription: "frames.txt").Describe());
    }

    [Fact]
    public void Locate_VariableIntervals_PicksFrameBeingShown()
    {
        var clock = new ExplicitClock([0.0, 0.1, 0.3, 0.35]);

        Assert.Equal(1, clock.Locate(0.29, IndexMode.Previous).Index);
        Assert.Equal(2, clock.Locate(0.29, IndexMode.Nearest).Index);
        Assert.Equal(3, clock.Locate(0.39, IndexMode.Previous).Index);
        Assert.True(clock.Locate(0.40, IndexMode.Previous).IsOutside); // last frame lasts the last interval, 0.05 s
        Assert.True(clock.Locate(-0.01, IndexMode.Previous).IsOutside);
    }

    [Fact]
    public void Constructor_NotIncreasing_NamesTheSample()
    {
        var e = Assert.Throws<NeuroAlignException>(() => new ExplicitClock([0.0, 0.2, 0.2], sourceDescription: "frames.csv"));

        Assert.Contains("frames.csv", e.Message);
        Assert.Contains("sample 2", e.Message);
    }

    [Fact]
    public void MeanRateHz_IsCountOverSpan()
    {
        var clock = new ExplicitClock([1.0, 1.5, 2.0, 2.5, 3.0]);

        Assert.Equal(2.0, clock.MeanRateHz, 12);
        Assert.Equal(3.5, clock.EndSeconds, 12);
    }
}
