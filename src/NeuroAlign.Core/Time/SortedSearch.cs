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
}
