using ScottPlot;

namespace NeuroAlign.Report;

/// <summary>
/// Okabe and Ito's eight colours (Color Universal Design, 2008): told apart by readers with any of
/// the common colour-vision deficiencies. Every plot of the report takes its colours from here.
/// </summary>
public static class Palette
{
    public static readonly Color Orange = Color.FromHex("#E69F00");
    public static readonly Color SkyBlue = Color.FromHex("#56B4E9");
    public static readonly Color BluishGreen = Color.FromHex("#009E73");
    public static readonly Color Yellow = Color.FromHex("#F0E442");
    public static readonly Color Blue = Color.FromHex("#0072B2");
    public static readonly Color Vermillion = Color.FromHex("#D55E00");
    public static readonly Color ReddishPurple = Color.FromHex("#CC79A7");
    public static readonly Color Black = Color.FromHex("#000000");

    /// <summary>The colours in order for series (black last: it is kept for text and marks).</summary>
    public static readonly IReadOnlyList<Color> Series = [Blue, Orange, BluishGreen, ReddishPurple, SkyBlue, Vermillion, Yellow];

    /// <summary>The colour of series <paramref name="index"/>, cycling.</summary>
    public static Color Of(int index) => Series[((index % Series.Count) + Series.Count) % Series.Count];
}
