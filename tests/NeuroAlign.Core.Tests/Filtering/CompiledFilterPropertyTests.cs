using System.Runtime.InteropServices;
using NeuroAlign.Filtering;
using NeuroAlign.Streams;

namespace NeuroAlign.Core.Tests.Filtering;

/// <summary>
/// Property tests: on thousands of random rules over random data, the compiled, vectorised,
/// constant-folded, interval-rewritten evaluator gives exactly the mask of a scalar tree-walking
/// interpreter (seeded, so a failure reproduces).
/// </summary>
public sealed class CompiledFilterPropertyTests
{
    public static TheoryData<int, ModalityKind, int> Seeds => new()
    {
        { 1, ModalityKind.Ephys, 1200 },
        { 2, ModalityKind.Ephys, 800 },
        { 3, ModalityKind.Fmri, 600 },
        { 4, ModalityKind.Video, 400 },
    };

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Evaluate_RandomRulesOnRandomData_MatchesReferenceInterpreter(int seed, ModalityKind kind, int cases)
    {
        var random = new Random(seed);
        for (int c = 0; c < cases; c++)
        {
            Case data = RandomCase(random, kind);
            var rules = new RandomRules(random, kind, data.SignalValues, data.Times, data.ChannelIds);
            int ruleCount = random.Next(5) == 0 ? 2 : 1;
            string[] texts = Enumerable.Range(0, ruleCount).Select(_ => rules.Rule(random.Next(4))).ToArray();
            for (int r = 0; r < texts.Length; r++)
            {
                // Video needs its scope; ephys and fMRI rules apply without one.
                if (kind == ModalityKind.Video || random.Next(3) == 0)
                {
                    texts[r] = $"{kind.Text()}: {texts[r]}";
                }
            }

            FilterSet set = FilterSet.Parse(texts);
            CompiledFilter filter = set.Compile(data.Target);

            var mask = new byte[data.Bytes.Length / data.Target.ElementType.SizeOf()];
            mask.AsSpan().Fill(7);
            long ones = filter.Evaluate(data.Bytes, data.Times, data.SourceIndex, mask);
            byte[] expected = ReferenceInterpreter.Mask(set.Rules.Select(r => r.Parsed).ToArray(), data.Target, data.Bytes, data.Times, data.SourceIndex);

            int mismatch = -1;
            for (int i = 0; i < mask.Length; i++)
            {
                if (mask[i] != expected[i])
                {
                    mismatch = i;
                    break;
                }
            }

            Assert.True(
                mismatch < 0,
                mismatch < 0 ? string.Empty : Describe(seed, c, texts, data, mismatch, mask[mismatch], expected[mismatch]));
            Assert.Equal(expected.Sum(b => (long)b), ones);
        }
    }

    private static string Describe(int seed, int caseIndex, string[] rules, Case data, int element, byte actual, byte expected)
    {
        int e = data.Target.ElementsPerSample;
        double stored = data.Target.ElementType.ReadAsDouble(data.Bytes, element);
        return $"seed {seed} case {caseIndex}: rules [{string.Join(" | ", rules)}] on {data.Target.Scope.Name} {data.Target.ElementType.ToText()} " +
            $"E={e}: element {element} (point {element / e}, column {element % e}, stored {stored:R}, gain {data.Target.Gains?[element % e]:R}, " +
            $"t {data.Times[element / e]:R}) compiled {actual}, interpreter {expected}";
    }

    private sealed record Case(FilterTarget Target, byte[] Bytes, double[] Times, long[] SourceIndex, double[] SignalValues, int[] ChannelIds);

    private static Case RandomCase(Random random, ModalityKind kind)
    {
        SampleType type = kind switch
        {
            ModalityKind.Ephys => Pick(random, SampleType.Int16, SampleType.Int16, SampleType.Int16, SampleType.Float32, SampleType.Int32, SampleType.UInt16),
            ModalityKind.Fmri => Pick(random, SampleType.Float32, SampleType.Float32, SampleType.Int16, SampleType.Float64, SampleType.UInt8),
            _ => Pick(random, SampleType.UInt8, SampleType.UInt8, SampleType.Float32, SampleType.Int8, SampleType.UInt32),
        };

        // Sizes that cross block boundaries at arbitrary columns, and tiny ones that never fill a vector.
        int e = random.Next(6) switch
        {
            0 => 1,
            1 => 384,
            2 => random.Next(2, 40),
            3 => 3,
            _ => random.Next(1, 12),
        };
        int maxElements = random.Next(4) == 0 ? 9000 : 1500;
        int points = Math.Max(1, random.Next(3) == 0 ? random.Next(1, 6) : random.Next(1, (maxElements / e) + 2));
        int elements = points * e;

        double[]? gains = null;
        if (kind == ModalityKind.Ephys || random.Next(4) == 0)
        {
            gains = random.Next(4) switch
            {
                0 => Enumerable.Repeat(1.0, e).ToArray(),
                1 => Enumerable.Repeat(2.34375, e).ToArray(),
                _ => Enumerable.Range(0, e).Select(_ => random.Next(12) switch
                {
                    0 => 0.0,
                    1 => -1.5,
                    2 => 0.195,
                    3 => 1.0,
                    _ => Math.Round(random.NextDouble() * 10, random.Next(1, 8)),
                }).ToArray(),
            };
        }

        int[] ids = Enumerable.Range(0, e).Select(i => random.Next(3) == 0 ? i : random.Next(-5, 1000)).ToArray();
        byte[] bytes = RandomData(random, type, elements);
        double t0 = Math.Round((random.NextDouble() - 0.3) * 100, 3);
        double[] times = Enumerable.Range(0, points).Select(p => t0 + (p * (random.Next(3) == 0 ? 0.001 : 1 / 30000.0))).ToArray();
        long[] sourceIndex = random.Next(3) == 0
            ? Enumerable.Range(0, points).Select(p => random.Next(8) == 0 ? -1L : p).ToArray()
            : [];

        // Signal values as the interpreter sees them: comparisons against them hit equality exactly.
        double[] signals = Enumerable.Range(0, Math.Min(elements, 64))
            .Select(_ => random.Next(elements))
            .Select(i => type.ReadAsDouble(bytes, i) * (gains?[i % e] ?? 1.0))
            .Where(double.IsFinite)
            .DefaultIfEmpty(0)
            .ToArray();

        var target = new FilterTarget(TestScopes.Of(kind), type, e, gains, kind == ModalityKind.Ephys ? ids : null);
        return new Case(target, bytes, times, sourceIndex, signals, ids);
    }

    private static byte[] RandomData(Random random, SampleType type, int elements)
    {
        var bytes = new byte[elements * type.SizeOf()];
        switch (type)
        {
            case SampleType.Int16:
                {
                    Span<short> values = MemoryMarshal.Cast<byte, short>(bytes.AsSpan());
                    for (int i = 0; i < values.Length; i++)
                    {
                        values[i] = random.Next(10) switch
                        {
                            0 => (short)random.Next(short.MinValue, short.MaxValue + 1),
                            1 => Pick(random, short.MinValue, short.MaxValue, (short)0, (short)1, (short)-1),
                            _ => (short)random.Next(-400, 401),
                        };
                    }

                    break;
                }

            case SampleType.Float32:
                {
                    Span<float> values = MemoryMarshal.Cast<byte, float>(bytes.AsSpan());
                    for (int i = 0; i < values.Length; i++)
                    {
                        values[i] = random.Next(20) switch
                        {
                            0 => Pick(random, float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f, 0f, float.Epsilon),
                            1 => (float)Math.Round(random.NextDouble() * 10, 1),
                            _ => (float)((random.NextDouble() - 0.5) * 800),
                        };
                    }

                    break;
                }

            case SampleType.Float64:
                {
                    Span<double> values = MemoryMarshal.Cast<byte, double>(bytes.AsSpan());
                    for (int i = 0; i < values.Length; i++)
                    {
                        values[i] = random.Next(20) == 0
                            ? Pick(random, double.NaN, double.PositiveInfinity, -0.0, 0.0)
                            : (random.NextDouble() - 0.5) * 800;
                    }

                    break;
                }

            case SampleType.Int32:
                {
                    Span<int> values = MemoryMarshal.Cast<byte, int>(bytes.AsSpan());
                    for (int i = 0; i < values.Length; i++)
                    {
                        values[i] = random.Next(10) == 0 ? Pick(random, int.MinValue, int.MaxValue, 0) : random.Next(-100_000, 100_000);
                    }

                    break;
                }

            case SampleType.UInt16:
                {
                    Span<ushort> values = MemoryMarshal.Cast<byte, ushort>(bytes.AsSpan());
                    for (int i = 0; i < values.Length; i++)
                    {
                        values[i] = (ushort)(random.Next(10) == 0 ? random.Next(65536) : random.Next(400));
                    }

                    break;
                }

            case SampleType.UInt32:
                {
                    Span<uint> values = MemoryMarshal.Cast<byte, uint>(bytes.AsSpan());
                    for (int i = 0; i < values.Length; i++)
                    {
                        values[i] = random.Next(10) == 0 ? uint.MaxValue - (uint)random.Next(10) : (uint)random.Next(1000);
                    }

                    break;
                }

            default:
                random.NextBytes(bytes);
                break;
        }

        return bytes;
    }

    private static T Pick<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];
}
