using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace NeuroAlign.Time;

/// <summary>A test on an index of a sorted sequence that holds for a prefix of it (value at the index ≤ a target).</summary>
internal interface IPrefixTest
{
    bool Holds(long index);
}

/// <summary>The one binary search of sorted times and sample indices (clocks, digital edges).</summary>
internal static class SortedSearch
{
    /// <summary>The last index in [0, <paramref name="count"/>) where <paramref name="test"/> holds, or -1; the test must hold for a prefix.</summary>
    /// <remarks>A struct test so the JIT specialises the loop per caller (no delegate call on the clock's hot path).</remarks>
    public static long LastWhere<TTest>(long count, TTest test)
        where TTest : struct, IPrefixTest
    {
        long lo = 0, hi = count - 1, found = -1;
        while (lo <= hi)
        {
            long mid = lo + ((hi - lo) / 2);
            if (test.Holds(mid))
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found;
    }

    /// <summary>
    /// The last index of <paramref name="sorted"/> whose value is at most <paramref name="target"/>, or -1
    /// (NaN: -1): <see cref="LastWhere{TTest}"/> for an array, without branches on the comparisons.
    /// </summary>
    /// <remarks>
    /// The range halves each step whatever the comparison says, so the CPU never mispredicts a
    /// branch (random queries mispredict half of them, about 18 times a query over 216 000 times);
    /// the comparison picks the next start with a conditional move.
    /// </remarks>
    public static long LastAtOrBefore(double[] sorted, double target)
    {
        int length = sorted.Length;
        if (length == 0)
        {
            return -1;
        }

        ref double first = ref MemoryMarshal.GetArrayDataReference(sorted);
        int start = 0;
        while (length > 1)
        {
            int half = length >> 1;
            start = Unsafe.Add(ref first, start + half) <= target ? start + half : start;
            length -= half;
        }

        // sorted[start] is the last value at most the target, if any is.
        return Unsafe.Add(ref first, start) <= target ? start : start - 1;
    }
}
