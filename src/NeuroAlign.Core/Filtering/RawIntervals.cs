using NeuroAlign.Streams;

namespace NeuroAlign.Filtering;

/// <summary>
/// Turns "stored value × gain OP k" into the interval of stored integers that pass. For a finite
/// gain, x → (double)x · gain is monotone (rounding is monotone), so each of &gt; &gt;= &lt; &lt;= holds on
/// a prefix or a suffix of the integers, found by bisection with the very predicate the double
/// evaluator computes: the interval decides exactly as the double comparison would, value by value.
/// </summary>
internal static class RawIntervals
{
    /// <summary>The integer types that evaluate through intervals, and their ranges.</summary>
    public static bool TryGetRange(SampleType type, out long min, out long max)
    {
        (bool ok, min, max) = type switch
        {
            SampleType.UInt8 => (true, byte.MinValue, byte.MaxValue),
            SampleType.Int8 => (true, sbyte.MinValue, sbyte.MaxValue),
            SampleType.Int16 => (true, short.MinValue, short.MaxValue),
            SampleType.UInt16 => (true, ushort.MinValue, ushort.MaxValue),
            SampleType.Int32 => (true, int.MinValue, int.MaxValue),
            SampleType.UInt32 => (true, uint.MinValue, (long)uint.MaxValue),
            _ => (false, 0L, 0L),
        };
        return ok;
    }

    /// <summary>
    /// The stored values x in [min, max] with <c>(double)x * gain OP k</c>, as [Lower, Upper]
    /// (Lower &gt; Upper when none). <see cref="ComparisonOperator.NotEqual"/> is not an interval:
    /// callers take the complement of <see cref="ComparisonOperator.Equal"/>.
    /// </summary>
    public static (long Lower, long Upper) Solve(ComparisonOperator op, double gain, double k, long min, long max)
    {
        if (!double.IsFinite(gain))
        {
            throw new ArgumentOutOfRangeException(nameof(gain), gain, "interval evaluation needs a finite gain");
        }

        return op switch
        {
            ComparisonOperator.Greater => Monotone(x => (x * gain) > k, min, max),
            ComparisonOperator.GreaterEqual => Monotone(x => (x * gain) >= k, min, max),
            ComparisonOperator.Less => Monotone(x => (x * gain) < k, min, max),
            ComparisonOperator.LessEqual => Monotone(x => (x * gain) <= k, min, max),
            ComparisonOperator.Equal => Intersect(Monotone(x => (x * gain) >= k, min, max), Monotone(x => (x * gain) <= k, min, max)),
            _ => throw new ArgumentOutOfRangeException(nameof(op), op, "not an interval"),
        };
    }

    private static (long Lower, long Upper) Intersect((long Lower, long Upper) a, (long Lower, long Upper) b) =>
        (Math.Max(a.Lower, b.Lower), Math.Min(a.Upper, b.Upper));

    /// <summary>The values where a monotone predicate (over doubles of the integers) holds.</summary>
    private static (long Lower, long Upper) Monotone(Func<double, bool> predicate, long min, long max)
    {
        bool atMin = predicate(min), atMax = predicate(max);
        if (atMin == atMax)
        {
            return atMin ? (min, max) : (1, 0);
        }

        // Invariant: predicate(low) == atMin, predicate(high) == atMax.
        long low = min, high = max;
        while (high - low > 1)
        {
            long middle = low + ((high - low) / 2);
            if (predicate(middle) == atMax)
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }

        return atMax ? (high, max) : (min, low);
    }
}
