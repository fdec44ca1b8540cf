namespace NeuroAlign.Sync;

/// <summary>Which transitions of a digital line count as pulses.</summary>
public enum EdgeKind
{
    /// <summary>Low to high: the start of each pulse (the default: a strobe or sync pulse starts with it).</summary>
    Rising,

    /// <summary>High to low: the end of each pulse.</summary>
    Falling,
}

/// <summary>Parsing and printing of <see cref="EdgeKind"/> as users write it.</summary>
public static class EdgeKinds
{
    public static EdgeKind Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "rising" => EdgeKind.Rising,
            "falling" => EdgeKind.Falling,
            _ => throw new NeuroAlignException($"unknown edge '{text}': expected rising or falling"),
        };
    }

    public static string ToText(this EdgeKind kind) => kind == EdgeKind.Rising ? "rising" : "falling";
}
