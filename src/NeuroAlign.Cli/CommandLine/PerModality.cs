using System.Globalization;
using NeuroAlign.Time;

namespace NeuroAlign.Cli.CommandLine;

/// <summary>
/// An option that takes one value for all modalities or per modality: "linear" or
/// "ephys=linear,video=previous"; "ephys=1000,video=30,fmri=native".
/// </summary>
internal sealed class PerModality<T>(T? all, Dictionary<string, T> byName)
{
    public T Get(string modality, T fallback) =>
        byName.TryGetValue(modality, out T? value) ? value : all ?? fallback;

    /// <summary>The value given for every modality (no NAME=), if any.</summary>
    public T? All => all;

    /// <summary>The modalities named explicitly.</summary>
    public IReadOnlyCollection<string> Names => byName.Keys;

    /// <summary>Names that match no loaded modality are mistakes, not silently ignored.</summary>
    public void CheckNames(IEnumerable<string> loaded, string optionName)
    {
        var names = loaded.ToHashSet(StringComparer.Ordinal);
        foreach (string name in byName.Keys.Where(n => !names.Contains(n)))
        {
            throw new UsageException($"option {optionName}: no modality '{name}' is loaded (loaded: {string.Join(", ", names)})");
        }
    }
}

internal static class PerModality
{
    public static PerModality<double?> ParseRates(string? text) =>
        Parse<double?>("--rate", text, value => value == "native"
            ? null
            : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double hz) && hz > 0 && double.IsFinite(hz)
                ? hz
                : throw new UsageException($"option --rate: '{value}' is not a positive rate in Hz or 'native'"));

    public static PerModality<IndexMode> ParseModes(string? text) =>
        Parse("--mode", text, value =>
        {
            try
            {
                return IndexModes.Parse(value);
            }
            catch (NeuroAlignException e)
            {
                throw new UsageException($"option --mode: {e.Message}");
            }
        });

    /// <summary>A text value for all modalities or per modality ("NAME" or "ephys=A,ephys_1=B").</summary>
    public static PerModality<string?> ParseNames(string option, string? text) =>
        Parse<string?>(option, text, value => value.Length > 0 ? value : throw new UsageException($"option {option}: an empty value in '{text}'"));

    /// <summary>Whole numbers ≥ 0 per modality ("video=3,fmri=4") or one for all.</summary>
    public static PerModality<int?> ParseCounts(string option, string? text) =>
        Parse<int?>(option, text, value => int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 0
            ? n
            : throw new UsageException($"option {option}: '{value}' is not a whole number ≥ 0"));

    /// <summary>Finite numbers per modality ("video=0.125,fmri=-2") or one for all.</summary>
    public static PerModality<double?> ParseSeconds(string option, string? text) =>
        Parse<double?>(option, text, value => ParsedArgs.ParseSeconds(option, value));

    private static PerModality<T> Parse<T>(string option, string? text, Func<string, T> parse)
    {
        var byName = new Dictionary<string, T>(StringComparer.Ordinal);
        if (text == null)
        {
            return new PerModality<T>(default, byName);
        }

        if (!text.Contains('=', StringComparison.Ordinal))
        {
            return new PerModality<T>(parse(text.Trim()), byName);
        }

        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new UsageException($"option {option}: '{part}' is not MODALITY=VALUE (in '{text}')");
            }

            byName[part[..eq]] = parse(part[(eq + 1)..]);
        }

        return new PerModality<T>(default, byName);
    }
}
