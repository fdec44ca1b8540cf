using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Time;

public class RegularClockTests
{
    public static TheoryData<double, double> RatesAndOffsets => new()
    {
        { 30_000, 0 },
        { 30_000, 177385 / 30_000.0 },
        { 30_000, -3.75 },
        { 30.0 / 1.001, 0 },
        { 30.0 / 1.001, 12.345 },
        { 0.5, 0 },
        { 0.5, 7.9 },
        { 1 / 0.8, 0 },
        { 1 / 0.8, 1234.5678 },
        { 29_999.4325, 5.9127 },
    };

    [Theory]
    [MemberData(nameof(RatesAndOffsets))]
    public void IndexAtOrBefore_TimeOfEverySample_ReturnsThatSample(double rateHz, double startSeconds)
    {
        const long Count = 2_000_000;
        var clock = new RegularClock(startSeconds, rateHz, Count);

        for (long k = 0; k < Count; k++)
        {
            long found = clock.IndexAtOrBefore(clock.TimeOf(k));
            if (found != k)
            {
                Assert.Fail($"rate {rateHz}, t0 {startSeconds}: index(time({k})) = {found}");
            }
        }
    }

    [Theory]
    [InlineData("30000", "0")]
    [InlineData("30000", "5.9128333333")]
    [InlineData("0.5", "0")]
    [InlineData("1.25", "-3.2")]
    [InlineData("2500", "100.004")]
    public void Locate_TimesComputedInDecimal_AreThoseSamples(string rateText, string startText)
    {
        // Times computed exactly (decimal) and then rounded, as a user or another tool would write
        // them, not as the clock computes them: int(t * fs) gets many of these wrong.
        decimal rate = decimal.Parse(rateText, System.Globalization.CultureInfo.InvariantCulture);
        decimal start = decimal.Parse(startText, System.Globalization.CultureInfo.InvariantCulture);
        long count = (long)Math.Min(100_000_000m, 100_000m * rate);
        var clock = new RegularClock((double)start, (double)rate, count);
        var random = new Random(7);
        for (int i = 0; i < 100_000; i++)
        {
            long k = random.NextInt64(0, count);
            double typed = (double)(start + (k / rate));
            Assert.Equal(k, clock.Locate(typed, IndexMode.Previous).Index);
        }
    }

    [Fact]
    public void Locate_TwoAndAHalfSecondsAt30kHz_IsSample75000()
    {
        var clock = new RegularClock(0, 30_000, 10_000_000);

        Assert.Equal(75_000, clock.Locate(2.5, IndexMode.Previous).Index);
        Assert.Equal(75_000, clock.Locate(0.1 + 2.4, IndexMode.Previous).Index);
        Assert.Equal(75_000, clock.Locate(2.5 - 1e-10, IndexMode.Previous).Index);
        Assert.Equal(74_999, clock.Locate(2.5 - 1e-6, IndexMode.Previous).Index);
    }

    [Fact]
    public void Locate_BetweenSamples_FollowsMode()
    {
        var clock = new RegularClock(0, 10, 100);

        Assert.Equal(new SampleLocation(3, 0), clock.Locate(0.34, IndexMode.Previous));
        Assert.Equal(new SampleLocation(3, 0), clock.Locate(0.34, IndexMode.Nearest));
        Assert.Equal(new SampleLocation(4, 0), clock.Locate(0.36, IndexMode.Nearest));
        Assert.Equal(new SampleLocation(3, 0), clock.Locate(0.35, IndexMode.Nearest));
        SampleLocation linear = clock.Locate(0.375, IndexMode.Linear);
        Assert.Equal(3, linear.Index);
        Assert.Equal(0.75, linear.Fraction, 9);
    }

    [Fact]
    public void Locate_OutsideRecording_IsOutside()
    {
        var clock = new RegularClock(1, 10, 100); // samples at 1.0 .. 10.9, recording ends at 11.0

        Assert.True(clock.Locate(0.99, IndexMode.Previous).IsOutside);
        Assert.Equal(0, clock.Locate(1.0, IndexMode.Previous).Index);
        Assert.Equal(99, clock.Locate(10.99, IndexMode.Previous).Index);
        Assert.True(clock.Locate(11.0, IndexMode.Previous).IsOutside);
        Assert.True(clock.Locate(1e9, IndexMode.Nearest).IsOutside);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Constructor_BadRate_Throws(double rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new RegularClock(0, rate, 10));
}
