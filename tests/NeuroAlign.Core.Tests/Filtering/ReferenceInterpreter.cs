using System.Runtime.InteropServices;
using NeuroAlign.Filtering;
using NeuroAlign.Streams;

namespace NeuroAlign.Core.Tests.Filtering;

/// <summary>
/// The oracle of the compiled evaluator: walks the parsed tree once per element with plain scalar
/// doubles (Math.Min/Max/Abs, C# comparisons). No blocks, no vectors, no folding, no intervals.
/// </summary>
internal static class ReferenceInterpreter
{
    public static byte[] Mask(IReadOnlyList<ParsedRule> rules, FilterTarget target, byte[] data, double[] pointTimes, long[] sourceIndex)
    {
        int e = target.ElementsPerSample;
        int elements = data.Length / target.ElementType.SizeOf();
        var mask = new byte[elements];
        for (int i = 0; i < elements; i++)
        {
            int point = i / e, column = i % e;
            if (sourceIndex.Length > 0 && sourceIndex[point] < 0)
            {
                continue;
            }

            double stored = Element(target.ElementType, data, i);
            var env = new Environment(
                target.Gains is null ? stored : stored * target.Gains[column],
                pointTimes.Length > 0 ? pointTimes[point] : double.NaN,
                target.ChannelIds is null ? double.NaN : target.ChannelIds[column]);
            bool pass = true;
            foreach (ParsedRule rule in rules)
            {
                pass &= Condition(rule.Body, env);
            }

            mask[i] = pass ? (byte)1 : (byte)0;
        }

        return mask;
    }

    private readonly record struct Environment(double Signal, double Time, double Channel);

    private static bool Condition(FilterNode node, Environment env) => node switch
    {
        ComparisonNode c => c.Operator switch
        {
            ComparisonOperator.Greater => Number(c.Left, env) > Number(c.Right, env),
            ComparisonOperator.GreaterEqual => Number(c.Left, env) >= Number(c.Right, env),
            ComparisonOperator.Less => Number(c.Left, env) < Number(c.Right, env),
            ComparisonOperator.LessEqual => Number(c.Left, env) <= Number(c.Right, env),
            ComparisonOperator.Equal => Number(c.Left, env) == Number(c.Right, env),
            _ => Number(c.Left, env) != Number(c.Right, env),
        },
        LogicalNode { Operator: LogicalOperator.And } l => Condition(l.Left, env) & Condition(l.Right, env),
        LogicalNode l => Condition(l.Left, env) | Condition(l.Right, env),
        NotNode n => !Condition(n.Operand, env),
        _ => throw new InvalidOperationException(node.ToString()),
    };

    private static double Number(FilterNode node, Environment env) => node switch
    {
        NumberNode n => n.Value,
        VariableNode { Name: "signal" } => env.Signal,
        VariableNode { Name: "t" } => env.Time,
        VariableNode => env.Channel,
        NegateNode n => -Number(n.Operand, env),
        ArithmeticNode a => a.Operator switch
        {
            ArithmeticOperator.Add => Number(a.Left, env) + Number(a.Right, env),
            ArithmeticOperator.Subtract => Number(a.Left, env) - Number(a.Right, env),
            ArithmeticOperator.Multiply => Number(a.Left, env) * Number(a.Right, env),
            _ => Number(a.Left, env) / Number(a.Right, env),
        },
        CallNode { Function: FilterFunction.Abs } c => Math.Abs(Number(c.Arguments[0], env)),
        CallNode { Function: FilterFunction.Min } c => c.Arguments.Skip(1).Aggregate(Number(c.Arguments[0], env), (acc, a) => Math.Min(acc, Number(a, env))),
        CallNode c => c.Arguments.Skip(1).Aggregate(Number(c.Arguments[0], env), (acc, a) => Math.Max(acc, Number(a, env))),
        _ => throw new InvalidOperationException(node.ToString()),
    };

    private static double Element(SampleType type, byte[] data, int i) => type switch
    {
        SampleType.UInt8 => data[i],
        SampleType.Int8 => (sbyte)data[i],
        SampleType.Int16 => MemoryMarshal.Cast<byte, short>(data)[i],
        SampleType.UInt16 => MemoryMarshal.Cast<byte, ushort>(data)[i],
        SampleType.Int32 => MemoryMarshal.Cast<byte, int>(data)[i],
        SampleType.UInt32 => MemoryMarshal.Cast<byte, uint>(data)[i],
        SampleType.Int64 => MemoryMarshal.Cast<byte, long>(data)[i],
        SampleType.UInt64 => MemoryMarshal.Cast<byte, ulong>(data)[i],
        SampleType.Float32 => MemoryMarshal.Cast<byte, float>(data)[i],
        _ => MemoryMarshal.Cast<byte, double>(data)[i],
    };
}
