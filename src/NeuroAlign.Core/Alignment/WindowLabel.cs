using NeuroAlign.Tables;

namespace NeuroAlign.Alignment;

/// <summary>
/// One value per window from a column of the events table (trial_type, response_time…), written
/// as <c>/windows/&lt;name&gt;</c> beside the window times so a training loop gets (data, label)
/// pairs: float64 when every cell is a number or n/a (n/a as NaN), else strings (n/a as "").
/// </summary>
public sealed record WindowLabel
{
    private WindowLabel(string name, double[]? numbers, string[]? texts)
    {
        Name = name;
        Numbers = numbers;
        Texts = texts;
    }

    /// <summary>The column's name, the dataset's name under /windows.</summary>
    public string Name { get; }

    /// <summary>The values as numbers (n/a as NaN), or null for a text column.</summary>
    public double[]? Numbers { get; }

    /// <summary>The values as text (n/a as ""), or null for a numeric column.</summary>
    public string[]? Texts { get; }

    /// <summary>The values as the array written: double[] or string[].</summary>
    public Array Values => (Array?)Numbers ?? Texts!;

    /// <summary>Number of windows labelled.</summary>
    public int Count => Values.Length;

    /// <summary>A column of numbers.</summary>
    public static WindowLabel FromNumbers(string name, double[] values) => new(name, values, null);

    /// <summary>A column of text.</summary>
    public static WindowLabel FromTexts(string name, string[] values) => new(name, null, values);

    /// <summary>The column from its cells as written (null for n/a): numbers when every present cell is one.</summary>
    public static WindowLabel FromCells(string name, IReadOnlyList<string?> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        var numbers = new double[cells.Count];
        for (int i = 0; i < cells.Count; i++)
        {
            if (cells[i] is null)
            {
                numbers[i] = double.NaN;
            }
            else if (!TableReader.TryParseNumber(cells[i], out numbers[i]))
            {
                return FromTexts(name, cells.Select(c => c ?? string.Empty).ToArray());
            }
        }

        return FromNumbers(name, numbers);
    }

    /// <summary>The values of the windows at <paramref name="indices"/>, in that order (windows kept by a filter).</summary>
    public WindowLabel Select(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return Numbers is { } n
            ? FromNumbers(Name, indices.Select(i => n[i]).ToArray())
            : FromTexts(Name, indices.Select(i => Texts![i]).ToArray());
    }

    /// <summary>Windows <paramref name="first"/> .. first + count - 1 (one shard's part).</summary>
    public WindowLabel Slice(int first, int count) =>
        Numbers is { } n ? FromNumbers(Name, n[first..(first + count)]) : FromTexts(Name, Texts![first..(first + count)]);

    /// <summary>The labels of several parts joined in order (merged shards); every part must have the same type.</summary>
    public static WindowLabel Concatenate(string name, IReadOnlyList<WindowLabel> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        return parts.All(p => p.Numbers is not null)
            ? FromNumbers(name, parts.SelectMany(p => p.Numbers!).ToArray())
            : parts.All(p => p.Texts is not null)
                ? FromTexts(name, parts.SelectMany(p => p.Texts!).ToArray())
                : throw new ArgumentException($"parts of /windows/{name} differ in type (numbers in some, text in others)", nameof(parts));
    }
}
