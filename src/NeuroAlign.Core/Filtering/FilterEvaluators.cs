using System.Numerics;
using System.Runtime.InteropServices;
using NeuroAlign.Streams;

namespace NeuroAlign.Filtering;

/// <summary>
/// One block of a window's flat data: elements [Start, Start + Count) of the C-order
/// [points × elements per sample] array. Element e is column e % E of point e / E.
/// </summary>
internal readonly ref struct FilterBlock
{
    public FilterBlock(ReadOnlySpan<byte> raw, ReadOnlySpan<double> pointTimes, int start, int count, int elementsPerSample, long pass, ReadOnlySpan<byte> window = default)
    {
        Raw = raw;
        Window = window;
        PointTimes = pointTimes;
        Start = start;
        Count = count;
        ElementsPerSample = elementsPerSample;
        Column = start % elementsPerSample;
        Pass = pass;
    }

    /// <summary>The block's stored values, Count elements.</summary>
    public ReadOnlySpan<byte> Raw { get; }

    /// <summary>The whole window's values: a pose point's (x, y, score) may straddle two blocks.</summary>
    public ReadOnlySpan<byte> Window { get; }

    /// <summary>Reference-clock time of every point of the window.</summary>
    public ReadOnlySpan<double> PointTimes { get; }

    public int Start { get; }

    public int Count { get; }

    public int ElementsPerSample { get; }

    /// <summary>Column of the block's first element.</summary>
    public int Column { get; }

    /// <summary>Increases with every block evaluated: shared variables compute once per pass.</summary>
    public long Pass { get; }
}

/// <summary>A compiled numeric expression: fills and returns a block of doubles.</summary>
internal abstract class NumberEvaluator
{
    public abstract ReadOnlySpan<double> Evaluate(in FilterBlock block);
}

/// <summary>A compiled condition: fills and returns a block of condition bytes (0x00 / 0xFF).</summary>
internal abstract class ConditionEvaluator
{
    public abstract ReadOnlySpan<byte> Evaluate(in FilterBlock block);
}

/// <summary>Per-column values laid out so that any block's columns are one contiguous slice.</summary>
internal static class ColumnTiles
{
    /// <summary>row repeated to length E + block size: the slice [column, column + count) serves any block.</summary>
    public static T[] Tile<T>(IReadOnlyList<T> row, int blockSize)
    {
        var tiled = new T[row.Count + blockSize];
        for (int i = 0; i < tiled.Length; i++)
        {
            tiled[i] = row[i % row.Count];
        }

        return tiled;
    }
}

internal sealed class ConstantNumberEvaluator(double value, int blockSize) : NumberEvaluator
{
    private readonly double[] _values = Enumerable.Repeat(value, blockSize).ToArray();

    public override ReadOnlySpan<double> Evaluate(in FilterBlock block) => _values.AsSpan(0, block.Count);
}

internal sealed class ConstantConditionEvaluator(bool value, int blockSize) : ConditionEvaluator
{
    private readonly byte[] _values = Enumerable.Repeat(value ? FilterKernels.True : (byte)0, blockSize).ToArray();

    public override ReadOnlySpan<byte> Evaluate(in FilterBlock block) => _values.AsSpan(0, block.Count);
}

/// <summary>signal: stored value × per-column gain, in double precision (µV for ephys).</summary>
internal sealed class SignalEvaluator : NumberEvaluator
{
    private readonly SampleType _type;
    private readonly double[]? _tiledGains;
    private readonly double[]? _uniformGain;
    private readonly double[] _values;
    private long _pass = -1;

    public SignalEvaluator(FilterTarget target, int blockSize)
    {
        _type = target.ElementType;
        _values = new double[blockSize];
        if (target.Gains is { } gains)
        {
            if (gains.Distinct().Count() > 1)
            {
                _tiledGains = ColumnTiles.Tile(gains, blockSize);
            }
            else if (gains[0] != 1)
            {
                // x · 1.0 is x exactly, so a unit gain is skipped; any other common gain is one broadcast.
                _uniformGain = Enumerable.Repeat(gains[0], blockSize).ToArray();
            }
        }
    }

    public override ReadOnlySpan<double> Evaluate(in FilterBlock block)
    {
        Span<double> values = _values.AsSpan(0, block.Count);
        if (_pass == block.Pass)
        {
            return values;
        }

        FilterKernels.ToDouble(_type, block.Raw, values);
        if (_tiledGains is not null)
        {
            FilterKernels.Arithmetic<MultiplyOperator>(values, _tiledGains.AsSpan(block.Column, block.Count), values);
        }
        else if (_uniformGain is not null)
        {
            FilterKernels.Arithmetic<MultiplyOperator>(values, _uniformGain, values);
        }

        _pass = block.Pass;
        return values;
    }
}

/// <summary>
/// Component <c>c</c> of the point of <c>width</c> values each element belongs to (pose x, y and
/// score: width 3), so the elements of a point pass or fail together (a point is kept or masked whole).
/// </summary>
internal sealed class PointComponentEvaluator(FilterTarget target, int component, int width, int blockSize) : NumberEvaluator
{
    private readonly double[] _values = new double[blockSize];

    public override ReadOnlySpan<double> Evaluate(in FilterBlock block)
    {
        if (target.ElementType != SampleType.Float32 || target.ElementsPerSample % width != 0)
        {
            throw new InvalidOperationException($"{target.Scope.Name} variables read float32 points of {width} values, not {target.ElementsPerSample} × {target.ElementType}");
        }

        ReadOnlySpan<float> window = MemoryMarshal.Cast<byte, float>(block.Window);
        Span<double> values = _values.AsSpan(0, block.Count);
        for (int j = 0; j < block.Count; j++)
        {
            int e = block.Start + j;
            values[j] = window[e - (e % width) + component];
        }

        return values;
    }
}

/// <summary>
/// A named column of each element's sample (physio, table): the value of column <c>c</c> of the
/// sample, × that column's gain, the same for all of the sample's elements, so a rule on it keeps
/// or masks a sample whole. The block's samples' values are gathered and converted once with the
/// vector kernel, then spread over their elements as <see cref="TimeEvaluator"/> spreads times.
/// </summary>
internal sealed class ColumnEvaluator : NumberEvaluator
{
    private readonly SampleType _type;
    private readonly int _size;
    private readonly int _column;
    private readonly double _gain;
    private readonly byte[] _gathered;
    private readonly double[] _samples;
    private readonly double[] _values;
    private long _pass = -1;

    public ColumnEvaluator(FilterTarget target, int column, int blockSize)
    {
        _type = target.ElementType;
        _size = target.ElementType.SizeOf();
        _column = column;
        _gain = target.Gains?[column] ?? 1.0;

        // A block of blockSize elements touches at most blockSize / E + 2 samples.
        int samples = (blockSize / target.ElementsPerSample) + 2;
        _gathered = new byte[samples * _size];
        _samples = new double[samples];
        _values = new double[blockSize];
    }

    public override ReadOnlySpan<double> Evaluate(in FilterBlock block)
    {
        Span<double> values = _values.AsSpan(0, block.Count);
        if (_pass == block.Pass)
        {
            return values;
        }

        int e = block.ElementsPerSample;
        int first = block.Start / e;
        int count = ((block.Start + block.Count - 1) / e) - first + 1;
        Span<double> samples = _samples.AsSpan(0, count);
        if (e == 1)
        {
            // One column: the block is that column already.
            FilterKernels.ToDouble(_type, block.Raw, samples);
        }
        else
        {
            for (int r = 0; r < count; r++)
            {
                block.Window.Slice((((first + r) * e) + _column) * _size, _size).CopyTo(_gathered.AsSpan(r * _size, _size));
            }

            FilterKernels.ToDouble(_type, _gathered.AsSpan(0, count * _size), samples);
        }

        if (_gain != 1)
        {
            // x · 1.0 is x exactly, so a unit gain is skipped, as signal skips it.
            for (int r = 0; r < count; r++)
            {
                samples[r] = MultiplyOperator.Apply(samples[r], _gain);
            }
        }

        int filled = 0;
        int run = e - block.Column;
        for (int r = 0; filled < block.Count; r++)
        {
            int n = Math.Min(run, block.Count - filled);
            values.Slice(filled, n).Fill(samples[r]);
            filled += n;
            run = e;
        }

        _pass = block.Pass;
        return values;
    }
}

/// <summary>t: the reference-clock time of each element's point, repeated across the point's elements.</summary>
internal sealed class TimeEvaluator(int blockSize) : NumberEvaluator
{
    private readonly double[] _values = new double[blockSize];
    private long _pass = -1;

    public override ReadOnlySpan<double> Evaluate(in FilterBlock block)
    {
        Span<double> values = _values.AsSpan(0, block.Count);
        if (_pass == block.Pass)
        {
            return values;
        }

        int e = block.ElementsPerSample;
        if (e == 1)
        {
            block.PointTimes.Slice(block.Start, block.Count).CopyTo(values);
        }
        else
        {
            int point = block.Start / e;
            int filled = 0;
            int run = e - block.Column;
            while (filled < block.Count)
            {
                int n = Math.Min(run, block.Count - filled);
                values.Slice(filled, n).Fill(block.PointTimes[point]);
                filled += n;
                point++;
                run = e;
            }
        }

        _pass = block.Pass;
        return values;
    }
}

/// <summary>A condition that depends on the point only (a condition on t): decided once per point, spread over its elements.</summary>
internal sealed class PointConditionEvaluator(Func<double, bool> predicate, int blockSize) : ConditionEvaluator
{
    private readonly byte[] _values = new byte[blockSize];

    public override ReadOnlySpan<byte> Evaluate(in FilterBlock block)
    {
        Span<byte> values = _values.AsSpan(0, block.Count);
        int e = block.ElementsPerSample;
        int point = block.Start / e;
        int filled = 0;
        int run = e - block.Column;
        while (filled < block.Count)
        {
            int n = Math.Min(run, block.Count - filled);
            values.Slice(filled, n).Fill(predicate(block.PointTimes[point]) ? FilterKernels.True : (byte)0);
            filled += n;
            point++;
            run = e;
        }

        return values;
    }
}

/// <summary>channel: the channel id of each element's column.</summary>
internal sealed class ChannelEvaluator(IReadOnlyList<int> channelIds, int blockSize) : NumberEvaluator
{
    private readonly double[] _tiled = ColumnTiles.Tile(channelIds.Select(c => (double)c).ToArray(), blockSize);

    public override ReadOnlySpan<double> Evaluate(in FilterBlock block) => _tiled.AsSpan(block.Column, block.Count);
}

internal sealed class NegateEvaluator(NumberEvaluator operand, int blockSize) : NumberEvaluator
{
    private readonly double[] _values = new double[blockSize];

    public override ReadOnlySpan<double> Evaluate(in FilterBlock block)
    {
        Span<double> values = _values.AsSpan(0, block.Count);
        FilterKernels.Negate(operand.Evaluate(block), values);
        return values;
    }
}

internal sealed class AbsEvaluator(NumberEvaluator operand, int blockSize) : NumberEvaluator
{
    private readonly double[] _values = new double[blockSize];

    public override ReadOnlySpan<double> Evaluate(in FilterBlock block)
    {
        Span<double> values = _values.AsSpan(0, block.Count);
        FilterKernels.Abs(operand.Evaluate(block), values);
        return values;
    }
}

internal sealed class ArithmeticEvaluator<TOperator>(NumberEvaluator left, NumberEvaluator right, int blockSize) : NumberEvaluator
    where TOperator : struct, IArithmeticOperator
{
    private readonly double[] _values = new double[blockSize];

    public override ReadOnlySpan<double> Evaluate(in FilterBlock block)
    {
        Span<double> values = _values.AsSpan(0, block.Count);
        FilterKernels.Arithmetic<TOperator>(left.Evaluate(block), right.Evaluate(block), values);
        return values;
    }
}

internal sealed class CompareEvaluator<TOperator>(NumberEvaluator left, NumberEvaluator right, int blockSize) : ConditionEvaluator
    where TOperator : struct, ICompareOperator
{
    private readonly byte[] _values = new byte[blockSize];

    public override ReadOnlySpan<byte> Evaluate(in FilterBlock block)
    {
        Span<byte> values = _values.AsSpan(0, block.Count);
        FilterKernels.Compare<TOperator>(left.Evaluate(block), right.Evaluate(block), values);
        return values;
    }
}

internal sealed class LogicalEvaluator(ConditionEvaluator left, ConditionEvaluator right, bool and, int blockSize) : ConditionEvaluator
{
    private readonly byte[] _values = new byte[blockSize];

    public override ReadOnlySpan<byte> Evaluate(in FilterBlock block)
    {
        Span<byte> values = _values.AsSpan(0, block.Count);
        if (and)
        {
            FilterKernels.And(left.Evaluate(block), right.Evaluate(block), values);
        }
        else
        {
            FilterKernels.Or(left.Evaluate(block), right.Evaluate(block), values);
        }

        return values;
    }
}

internal sealed class NotEvaluator(ConditionEvaluator operand, int blockSize) : ConditionEvaluator
{
    private readonly byte[] _values = new byte[blockSize];

    public override ReadOnlySpan<byte> Evaluate(in FilterBlock block)
    {
        Span<byte> values = _values.AsSpan(0, block.Count);
        FilterKernels.Not(operand.Evaluate(block), values);
        return values;
    }
}

/// <summary>
/// A comparison of signal with a constant, decided on the stored integers: per column, the stored
/// values that pass form an interval [lower, upper] (see <see cref="RawIntervals"/>), so the test
/// needs no conversion to double and runs at integer vector width.
/// </summary>
internal sealed class IntervalEvaluator<T> : ConditionEvaluator
    where T : unmanaged, INumber<T>, IMinMaxValue<T>
{
    private readonly T[]? _lower;
    private readonly T[]? _upper;
    private readonly T _uniformLower;
    private readonly T _uniformUpper;
    private readonly bool _complement;
    private readonly byte[] _values;

    public IntervalEvaluator(IReadOnlyList<(long Lower, long Upper)> columns, bool complement, int blockSize)
    {
        _complement = complement;
        _values = new byte[blockSize];
        var lower = columns.Select(c => Bound(c, lowerBound: true)).ToArray();
        var upper = columns.Select(c => Bound(c, lowerBound: false)).ToArray();
        if (columns.Distinct().Count() == 1)
        {
            _uniformLower = lower[0];
            _uniformUpper = upper[0];
        }
        else
        {
            _lower = ColumnTiles.Tile(lower, blockSize);
            _upper = ColumnTiles.Tile(upper, blockSize);
        }
    }

    public override ReadOnlySpan<byte> Evaluate(in FilterBlock block)
    {
        Span<byte> values = _values.AsSpan(0, block.Count);
        ReadOnlySpan<T> raw = MemoryMarshal.Cast<byte, T>(block.Raw);
        FilterKernels.Interval(
            raw,
            _lower is null ? default : _lower.AsSpan(block.Column, block.Count),
            _upper is null ? default : _upper.AsSpan(block.Column, block.Count),
            _uniformLower,
            _uniformUpper,
            _complement,
            values);
        return values;
    }

    /// <summary>An empty interval becomes [MaxValue, MinValue], which no value satisfies.</summary>
    private static T Bound((long Lower, long Upper) interval, bool lowerBound) =>
        interval.Lower > interval.Upper
            ? (lowerBound ? T.MaxValue : T.MinValue)
            : T.CreateChecked(lowerBound ? interval.Lower : interval.Upper);
}
