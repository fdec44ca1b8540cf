namespace NeuroAlign.Hdf5;

/// <summary>How the HDF5 sink stores data.</summary>
/// <param name="GzipLevel">Deflate level for every chunked dataset; null writes uncompressed. PureHDF 2.2.0's deflate accepts -1, 0, 1 and 9.</param>
/// <param name="Shuffle">Byte shuffle before deflate: groups the high and low bytes of int16 samples, which compresses better.</param>
public sealed record Hdf5SinkOptions(int? GzipLevel = 1, bool Shuffle = true)
{
    /// <summary>Deflate levels PureHDF 2.2.0 accepts.</summary>
    public static readonly int[] SupportedGzipLevels = [-1, 0, 1, 9];

    /// <summary>No compression.</summary>
    public static Hdf5SinkOptions Uncompressed { get; } = new(null, false);

    /// <summary>The options as text: <c>gzip 1 shuffle</c>, <c>gzip 9</c>, <c>none</c> (read back by <see cref="Parse"/>).</summary>
    public string Describe() => GzipLevel is int level ? $"gzip {level}{(Shuffle ? " shuffle" : string.Empty)}" : "none";

    /// <summary>Reads what <see cref="Describe"/> wrote.</summary>
    public static Hdf5SinkOptions Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words is ["none"])
        {
            return Uncompressed;
        }

        if (words.Length is 2 or 3 && words[0] == "gzip"
            && int.TryParse(words[1], System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int level)
            && SupportedGzipLevels.Contains(level) && (words.Length == 2 || words[2] == "shuffle"))
        {
            return new Hdf5SinkOptions(level, Shuffle: words.Length == 3);
        }

        throw new NeuroAlignException($"compression '{text}': expected 'none' or 'gzip LEVEL' with LEVEL one of {string.Join(", ", SupportedGzipLevels)}, optionally followed by 'shuffle'");
    }
}
