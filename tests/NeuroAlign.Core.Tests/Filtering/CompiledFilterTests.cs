using System.Runtime.InteropServices;
using NeuroAlign.Filtering;
using NeuroAlign.Streams;

namespace NeuroAlign.Core.Tests.Filtering;

public sealed class CompiledFilterTests
{
    private static readonly double[] Gains = [2.34375, 0.5, 1.0];

    [Fact]
    public void Evaluate_SignalAboveThresholdWithGains_PassesTheRightElements()
    {
        short[] data = [0, 1, 1, 1, 2, 0, -3, 10, 1];
        var target = new FilterTarget(TestScopes.Of(ModalityKind.Ephys), SampleType.Int16, 3, Gains, [0, 1, 2]);
        CompiledFilter filter = FilterSet.Parse(["signal > 0.8"]).Compile(target);
        var mask = new byte[9];

        long ones = filter.Evaluate(MemoryMarshal.AsBytes(data.AsSpan()), [], [], mask);

        // 2.34375·x, 0.5·x, x per column: 0 0.5 1 | 2.34 1 0 | -7.03 5 1
        Assert.Equal([0, 0, 1, 1, 1, 0, 0, 1, 1], mask);
        Assert.Equal(5, ones);
    }

    [Theory]
    [InlineData("signal > 0.8", typeof(IntervalEvaluator<short>))]
    [InlineData("0.8 uV < signal", typeof(IntervalEvaluator<short>))]
    [InlineData("signal != 3", typeof(IntervalEvaluator<short>))]
    [InlineData("abs(signal) > 100", typeof(LogicalEvaluator))]
    [InlineData("signal > 1 and 2 > 1", typeof(IntervalEvaluator<short>))]
    [InlineData("signal > 1 or 1 > 2", typeof(IntervalEvaluator<short>))]
    [InlineData("signal * 2 > 1", typeof(CompareEvaluator<GreaterOperator>))]
    [InlineData("t > 1", typeof(PointConditionEvaluator))]
    [InlineData("t > 1 and t < 2 or not t == 5", typeof(PointConditionEvaluator))]
    [InlineData("channel > t / 1 s", typeof(CompareEvaluator<GreaterOperator>))]
    [InlineData("signal > 1e9", typeof(ConstantConditionEvaluator))]
    [InlineData("2 > 1", typeof(ConstantConditionEvaluator))]
    public void Compile_Int16Ephys_LowersToExpectedEvaluator(string rule, Type expected)
    {
        var target = new FilterTarget(TestScopes.Of(ModalityKind.Ephys), SampleType.Int16, 3, Gains, [0, 1, 2]);

        CompiledFilter filter = FilterSet.Parse([rule]).Compile(target);

        Assert.IsType(expected, filter.Root);
    }

    [Fact]
    public void Compile_FloatData_UsesDoubleComparison()
    {
        var target = new FilterTarget(TestScopes.Of(ModalityKind.Fmri), SampleType.Float32, 4);

        CompiledFilter filter = FilterSet.Parse(["signal > 0.8"]).Compile(target);

        Assert.IsType<CompareEvaluator<GreaterOperator>>(filter.Root);
    }

    [Fact]
    public void Evaluate_NaNValues_FailEveryComparisonButNotEqual()
    {
        float[] data = [float.NaN, 1f, float.NaN, -0f];
        var target = new FilterTarget(TestScopes.Of(ModalityKind.Fmri), SampleType.Float32, 1);
        var mask = new byte[4];

        FilterSet.Parse(["signal > 0 or signal <= 0"]).Compile(target).Evaluate(MemoryMarshal.AsBytes(data.AsSpan()), [], [], mask);
        Assert.Equal([0, 1, 0, 1], mask);

        FilterSet.Parse(["signal != 1"]).Compile(target).Evaluate(MemoryMarshal.AsBytes(data.AsSpan()), [], [], mask);
        Assert.Equal([1, 0, 1, 1], mask);
    }

    [Fact]
    public void Evaluate_MinMaxWithNaNAndSignedZeros_MatchMathMinMax()
    {
        // 1/min(-0, +0) is -inf as with Math.Min: the vector kernels must treat -0 < +0 and propagate NaN.
        double[] data = [0.0, -0.0, double.NaN, 5.0, -5.0, 0.0, 3.0, double.NaN, 7.0, -0.0, 1.0, 2.0, -1.0, 0.5, 0.25, 4.0, 8.0];
        var target = new FilterTarget(TestScopes.Of(ModalityKind.Fmri), SampleType.Float64, 1);
        foreach (string rule in new[] { "1 / min(signal, -signal) < 0", "1 / max(signal, -signal) > 0", "min(signal, 1) == min(signal, 1)", "-signal >= 0" })
        {
            var mask = new byte[data.Length];
            FilterSet set = FilterSet.Parse([rule]);
            set.Compile(target).Evaluate(MemoryMarshal.AsBytes(data.AsSpan()), [], [], mask);

            byte[] expected = ReferenceInterpreter.Mask([set.Rules[0].Parsed], target, MemoryMarshal.AsBytes(data.AsSpan()).ToArray(), [], []);
            Assert.Equal(expected, mask);
        }
    }

    [Fact]
    public void Evaluate_PointsOutsideRecording_NeverPass()
    {
        short[] data = [5, 5, 5, 5, 5, 5];
        var target = new FilterTarget(TestScopes.Of(ModalityKind.Ephys), SampleType.Int16, 2, [1.0, 1.0], [0, 1]);
        var mask = new byte[6];

        long ones = FilterSet.Parse(["signal > 0"]).Compile(target).Evaluate(MemoryMarshal.AsBytes(data.AsSpan()), [], [0, -1, 2], mask);

        Assert.Equal([1, 1, 0, 0, 1, 1], mask);
        Assert.Equal(4, ones);
    }

    [Fact]
    public void Evaluate_TimeAndChannel_UsePointTimesAndChannelIds()
    {
        short[] data = new short[8];
        var target = new FilterTarget(TestScopes.Of(ModalityKind.Ephys), SampleType.Int16, 2, null, [10, 20]);
        var mask = new byte[8];

        FilterSet.Parse(["t >= 1500 ms and channel == 20"]).Compile(target).Evaluate(MemoryMarshal.AsBytes(data.AsSpan()), [0.5, 1.0, 1.5, 2.0], [], mask);

        Assert.Equal([0, 0, 0, 0, 0, 1, 0, 1], mask);
    }

    [Fact]
    public void Evaluate_RuleReadsTimeWithoutTimes_Throws()
    {
        var target = new FilterTarget(TestScopes.Of(ModalityKind.Fmri), SampleType.Float32, 1);
        CompiledFilter filter = FilterSet.Parse(["t > 1"]).Compile(target);

        Assert.True(filter.UsesTime);
        Assert.Throws<ArgumentException>(() => filter.Evaluate(new byte[8], [], [], new byte[2]));
    }

    [Fact]
    public void Evaluate_MaskOfWrongSize_Throws()
    {
        var target = new FilterTarget(TestScopes.Of(ModalityKind.Fmri), SampleType.Float32, 2);
        CompiledFilter filter = FilterSet.Parse(["signal > 1"]).Compile(target);

        Assert.Throws<ArgumentException>(() => filter.Evaluate(new byte[16], [], [], new byte[3]));
        Assert.Throws<ArgumentException>(() => filter.Evaluate(new byte[12], [], [], new byte[3]));
    }

    [Fact]
    public void Compile_SeveralRules_CombinesThoseThatApplyWithAnd()
    {
        float[] data = [1f, 5f, 9f, 200f];
        var fmri = new FilterTarget(TestScopes.Of(ModalityKind.Fmri), SampleType.Float32, 1);
        FilterSet set = FilterSet.Parse(["signal > 2", "fmri: signal < 100", "video: signal > 250", "ephys: signal < 0"]);
        var mask = new byte[4];

        CompiledFilter filter = set.Compile(fmri);
        long ones = filter.Evaluate(MemoryMarshal.AsBytes(data.AsSpan()), [], [], mask);

        Assert.Equal([0, 1, 1, 0], mask);
        Assert.Equal(2, ones);
        Assert.Equal("(signal > 2) AND (fmri: signal < 100)", filter.RuleText);
    }

    [Fact]
    public void Evaluate_LargeWindowAcrossBlocks_MatchesInterpreter()
    {
        // 384 channels × 100 points crosses many blocks at columns that are not multiples of the block.
        var random = new Random(5);
        short[] data = Enumerable.Range(0, 384 * 100).Select(_ => (short)random.Next(-2000, 2000)).ToArray();
        double[] gains = Enumerable.Range(0, 384).Select(c => 2.34375 + (c % 7 * 0.001)).ToArray();
        var target = new FilterTarget(TestScopes.Of(ModalityKind.Ephys), SampleType.Int16, 384, gains, Enumerable.Range(0, 384).ToArray());
        byte[] bytes = MemoryMarshal.AsBytes(data.AsSpan()).ToArray();
        double[] times = Enumerable.Range(0, 100).Select(p => p / 30000.0).ToArray();
        foreach (string rule in new[] { "signal > 0.8", "abs(signal) < 500 uV", "signal > 100 and channel < 200 or t < 1 ms" })
        {
            FilterSet set = FilterSet.Parse([rule]);
            var mask = new byte[data.Length];
            long ones = set.Compile(target).Evaluate(bytes, times, [], mask);

            byte[] expected = ReferenceInterpreter.Mask([set.Rules[0].Parsed], target, bytes, times, []);
            Assert.Equal(expected, mask);
            Assert.Equal(expected.Count(b => b == 1), ones);
        }
    }
}
