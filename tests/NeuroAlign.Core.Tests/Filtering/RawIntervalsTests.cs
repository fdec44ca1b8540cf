using NeuroAlign.Filtering;

namespace NeuroAlign.Core.Tests.Filtering;

/// <summary>The interval rewrite decides every int16 exactly as the double comparison does.</summary>
public sealed class RawIntervalsTests
{
    private static readonly ComparisonOperator[] Operators =
        [ComparisonOperator.Greater, ComparisonOperator.GreaterEqual, ComparisonOperator.Less, ComparisonOperator.LessEqual, ComparisonOperator.Equal];

    [Fact]
    public void Solve_EveryInt16_AgreesWithDoubleComparison()
    {
        var random = new Random(11);
        double[] gains = [2.34375, 0.195, 1.0, -1.5, 0.0, -0.0, 1e-300, 7.62939453125e-6, 3.0000000000000004, 1e300];
        foreach (double gain in gains.Concat(Enumerable.Range(0, 6).Select(_ => (random.NextDouble() - 0.3) * 20)))
        {
            // Thresholds on and just beside representable products, where rounding decides.
            short x = (short)random.Next(short.MinValue, short.MaxValue);
            double onProduct = x * gain;
            double[] thresholds =
            [
                onProduct, Math.BitIncrement(onProduct), Math.BitDecrement(onProduct), 0.8, -0.8, 0.0, -0.0,
                double.PositiveInfinity, double.NegativeInfinity, double.NaN, 1e308, short.MaxValue * gain,
            ];
            foreach (double k in thresholds)
            {
                foreach (ComparisonOperator op in Operators)
                {
                    (long lower, long upper) = RawIntervals.Solve(op, gain, k, short.MinValue, short.MaxValue);
                    for (int v = short.MinValue; v <= short.MaxValue; v++)
                    {
                        double product = v * gain;
                        bool expected = op switch
                        {
                            ComparisonOperator.Greater => product > k,
                            ComparisonOperator.GreaterEqual => product >= k,
                            ComparisonOperator.Less => product < k,
                            ComparisonOperator.LessEqual => product <= k,
                            _ => product == k,
                        };
                        bool inside = v >= lower && v <= upper;
                        if (expected != inside)
                        {
                            Assert.Fail($"gain {gain:R}, {op} {k:R}: value {v} gives {product:R}; interval [{lower}, {upper}]");
                        }
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Solve_NonFiniteGain_Refuses(double gain)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => RawIntervals.Solve(ComparisonOperator.Greater, gain, 1, 0, 255));
    }

    [Fact]
    public void Solve_UInt32Range_FindsThresholdAtTheTop()
    {
        (long lower, long upper) = RawIntervals.Solve(ComparisonOperator.GreaterEqual, 1.0, uint.MaxValue - 3.0, uint.MinValue, uint.MaxValue);

        Assert.Equal(uint.MaxValue - 3L, lower);
        Assert.Equal(uint.MaxValue, upper);
    }
}
