using System.Runtime.InteropServices;
using NeuroAlign.Filtering;
using NeuroAlign.Streams;

namespace NeuroAlign.Core.Tests.Filtering;

/// <summary>The pose scope (issue 19): x, y and score judge a whole point, whose three elements pass or fail together.</summary>
public sealed class PoseFilterTests
{
    [Theory]
    [InlineData("pose: score > 0.9")]
    [InlineData("pose: x < 300 and y >= 10")]
    [InlineData("pose: abs(x - y) > 50 or score != score")]
    [InlineData("pose: t > 0.004 and score > 0.5")]
    public void Evaluate_PoseRule_EachPointKeptOrMaskedWhole_AsAScalarReadingSays(string rule)
    {
        // 2 individuals × 3 bodyparts × (x, y, score) per point, 700 points: 29 400 floats, which
        // cross the 4096-element blocks in the middle of points.
        const int perSample = 2 * 3 * 3, points = 700;
        var values = new float[points * perSample];
        var random = new Random(19);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (i % 3) switch
            {
                2 => random.Next(20) == 0 ? float.NaN : (float)random.NextDouble(),
                _ => (float)(random.NextDouble() * 600),
            };
        }

        double[] times = Enumerable.Range(0, points).Select(p => p / 100.0).ToArray();
        CompiledFilter filter = FilterSet.Parse([rule]).Compile(new FilterTarget(TestScopes.Of(ModalityKind.Pose), SampleType.Float32, perSample));
        var mask = new byte[values.Length];

        long kept = filter.Evaluate(MemoryMarshal.AsBytes(values.AsSpan()), times, [], mask);

        Func<double, double, double, double, bool> truth = rule switch
        {
            "pose: score > 0.9" => (x, y, s, t) => s > 0.9,
            "pose: x < 300 and y >= 10" => (x, y, s, t) => x < 300 && y >= 10,
            "pose: abs(x - y) > 50 or score != score" => (x, y, s, t) => Math.Abs(x - y) > 50 || double.IsNaN(s),
            _ => (x, y, s, t) => t > 0.004 && s > 0.5,
        };
        long expectedKept = 0;
        for (int e = 0; e < values.Length; e += 3)
        {
            bool pass = truth(values[e], values[e + 1], values[e + 2], times[e / perSample]);
            expectedKept += pass ? 3 : 0;
            Assert.True(mask.AsSpan(e, 3).ToArray().All(m => m == (pass ? 1 : 0)), $"point at element {e}: mask {string.Join(",", mask.AsSpan(e, 3).ToArray())}, expected {pass}");
        }

        Assert.Equal(expectedKept, kept);
    }

    [Theory]
    [InlineData("pose: signal > 3", new[] { ModalityKind.Pose }, "pose has no 'signal': its variables are x, y, score and t")]
    [InlineData("ephys: score > 3", new[] { ModalityKind.Ephys }, "'score' exists only for pose, and this rule applies to ephys")]
    [InlineData("pose: score > 3 mV", new[] { ModalityKind.Pose }, "cannot compare")]
    [InlineData("score > 0.5", new[] { ModalityKind.Pose }, "start it with 'pose:' to filter pose")]
    public void Validate_PoseMistakes_Explained(string rule, ModalityKind[] loaded, string reason)
    {
        var e = Assert.Throws<FilterSyntaxException>(() => FilterSet.Parse([rule]).Validate(TestScopes.Loaded(loaded)));

        Assert.Contains(reason, e.Reason, StringComparison.Ordinal);
    }
}
