namespace NeuroAlign.Time;

/// <summary>How a time between two samples is turned into a sample.</summary>
public enum IndexMode
{
    /// <summary>The sample at or before the time: what was known at that moment (no future leakage).</summary>
    Previous,

    /// <summary>The sample closest in time; ties go to the earlier one.</summary>
    Nearest,

    /// <summary>Linear interpolation between the two neighbouring samples (continuous signals only).</summary>
    Linear,
}

/// <summary>Parsing and printing of <see cref="IndexMode"/> as users write it.</summary>
public static class IndexModes
{
    public static IndexMode Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Trim().ToLowerInvariant() switch
        {
            "previous" => IndexMode.Previous,
            "nearest" => IndexMode.Nearest,
            "linear" => IndexMode.Linear,
            _ => throw new NeuroAlignException($"unknown sampling mode '{text}': expected previous, nearest or linear"),
        };
    }

    public static string ToText(this IndexMode mode) => mode switch
    {
        IndexMode.Previous => "previous",
        IndexMode.Nearest => "nearest",
        IndexMode.Linear => "linear",
        _ => throw new ArgumentOutOfRangeException(nameof(mode)),
    };
}
