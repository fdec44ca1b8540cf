using System.Globalization;

namespace NeuroAlign;

/// <summary>Integers written as runs: 1, 3-5, 8 (shard numbers, table lines, Slurm array task ids).</summary>
public static class IntegerRanges
{
    /// <summary>The distinct values, sorted, consecutive ones joined as first-last, runs joined by <paramref name="separator"/>.</summary>
    public static string Format(IEnumerable<int> values, string separator = ", ")
    {
        ArgumentNullException.ThrowIfNull(values);
        int[] sorted = values.Distinct().Order().ToArray();
        var parts = new List<string>();
        for (int i = 0; i < sorted.Length;)
        {
            int j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }

            parts.Add(j == i ? sorted[i].ToString(CultureInfo.InvariantCulture) : string.Create(CultureInfo.InvariantCulture, $"{sorted[i]}-{sorted[j]}"));
            i = j + 1;
        }

        return string.Join(separator, parts);
    }
}
