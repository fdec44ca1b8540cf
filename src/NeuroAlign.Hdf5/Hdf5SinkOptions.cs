namespace NeuroAlign.Hdf5;

/// <summary>How the HDF5 sink stores data.</summary>
/// <param name="GzipLevel">Deflate level 0–9 (-1: zlib's default, 6) for every chunked dataset; null writes uncompressed.</param>
/// <param name="Shuffle">Byte shuffle before deflate: groups the high and low bytes of int16 samples, which compresses better.</param>
/// <param name="CompressionThreads">Chunks compressed at once on worker threads; 0 (default) for one per core, 1 to compress on the writing thread.</param>
public sealed record Hdf5SinkOptions(int? GzipLevel = 1, bool Shuffle = true, int CompressionThreads = 0)
{
    /// <summary>Deflate levels the sink writes (HDF5 filter 1): zlib's 0–9, and -1 for its default (stored as 6).</summary>
    public static readonly int[] SupportedGzipLevels = [-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

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

    /// <summary>The number of chunks compressed at once: <see cref="CompressionThreads"/>, or the core count for 0.</summary>
    public int EffectiveCompressionThreads => CompressionThreads > 0 ? CompressionThreads : Environment.ProcessorCount;
}
