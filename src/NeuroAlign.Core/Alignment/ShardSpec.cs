using System.Globalization;

namespace NeuroAlign.Alignment;

/// <summary>
/// One part of an export split into <see cref="Count"/> shards: <c>i/n</c> with 0 ≤ i &lt; n,
/// 0-based like <c>SLURM_ARRAY_TASK_ID</c> in an array <c>0-(n-1)</c>. The windows are split into
/// contiguous runs, in order, whose sizes differ by at most one, so shard files concatenated by
/// index hold the windows of the whole export in its order (issue 10).
/// </summary>
/// <param name="Index">Which shard, 0-based.</param>
/// <param name="Count">How many shards in all.</param>
public readonly record struct ShardSpec(int Index, int Count)
{
    /// <summary>Parses <c>i/n</c>; throws a one-line <see cref="NeuroAlignException"/> naming what is wrong.</summary>
    public static ShardSpec Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split('/');
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count))
        {
            throw new Sessions.SettingException("shard", $"'{text}'", $"expected i/n, two whole numbers such as 0/4 (0-based: shards 0/4 to 3/4)");
        }

        if (count < 1)
        {
            throw new Sessions.SettingException("shard", text, $"the shard count is {count}; expected 1 or more");
        }

        if (index >= count)
        {
            throw new Sessions.SettingException("shard", text, $"shard {index} does not exist among {count} shards; shards are numbered 0 to {count - 1}");
        }

        return new ShardSpec(index, count);
    }

    /// <summary>The first window (global index) of shard <paramref name="index"/> of <paramref name="count"/> among <paramref name="totalWindows"/>.</summary>
    public static int FirstWindow(int index, int count, int totalWindows)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(totalWindows);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, count);

        // floor(i·W/n): the boundaries of n equal parts rounded down, in 64 bits so i·W cannot overflow.
        return (int)((long)index * totalWindows / count);
    }

    /// <summary>This shard's windows: the global index of its first one and how many it holds.</summary>
    /// <exception cref="NeuroAlignException">There are fewer windows than shards, so some shard would be empty.</exception>
    public (int FirstWindow, int WindowCount) Range(int totalWindows)
    {
        if (totalWindows < Count)
        {
            throw new NeuroAlignException(
                $"option {Sessions.Setting.Display("shard")} {this}: the export has {totalWindows} window(s), fewer than {Count} shards; use at most {Math.Max(1, totalWindows)} shards");
        }

        int first = FirstWindow(Index, Count, totalWindows);
        return (first, FirstWindow(Index + 1, Count, totalWindows) - first);
    }

    /// <summary><c>i/n</c>.</summary>
    public override string ToString() => $"{Index}/{Count}";
}
