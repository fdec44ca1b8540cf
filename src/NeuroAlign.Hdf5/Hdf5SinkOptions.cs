using System.Globalization;
using NeuroAlign.Sessions;

namespace NeuroAlign.Hdf5;

/// <summary>How chunks of the export are compressed (docs/output-format.md, "Compression").</summary>
public enum CompressionCodec
{
    /// <summary>Uncompressed.</summary>
    None,

    /// <summary>Byte shuffle + deflate (HDF5 filters 2 + 1): every HDF5 reader, plain h5py included.</summary>
    Gzip,

    /// <summary>Byte shuffle + Zstandard (filter 32015): needs hdf5plugin to read.</summary>
    Zstd,

    /// <summary>Byte shuffle + LZ4 (filter 32004): needs hdf5plugin (or Debian's hdf5-filter-plugin) to read.</summary>
    Lz4,

    /// <summary>Bit transpose + LZ4 per block (bitshuffle, filter 32008): needs hdf5plugin or bitshuffle to read.</summary>
    BitshuffleLz4,

    /// <summary>Bit transpose + Zstandard per block (bitshuffle 0.4 and later, filter 32008): needs hdf5plugin 4.1+ to read.</summary>
    BitshuffleZstd,
}

/// <summary>Names, levels and parsing of <see cref="CompressionCodec"/>.</summary>
public static class CompressionCodecs
{
    /// <summary>Every codec, the default first.</summary>
    public static IReadOnlyList<CompressionCodec> All { get; } =
        [CompressionCodec.Gzip, CompressionCodec.Zstd, CompressionCodec.Lz4, CompressionCodec.BitshuffleLz4, CompressionCodec.BitshuffleZstd, CompressionCodec.None];

    /// <summary>The codec's name: gzip, zstd, lz4, bitshuffle-lz4, bitshuffle-zstd, none.</summary>
    public static string Name(CompressionCodec codec) => codec switch
    {
        CompressionCodec.None => "none",
        CompressionCodec.Gzip => "gzip",
        CompressionCodec.Zstd => "zstd",
        CompressionCodec.Lz4 => "lz4",
        CompressionCodec.BitshuffleLz4 => "bitshuffle-lz4",
        CompressionCodec.BitshuffleZstd => "bitshuffle-zstd",
        _ => throw new ArgumentOutOfRangeException(nameof(codec)),
    };

    /// <summary>The codec named <paramref name="name"/> (as <see cref="Name"/> gives it, any case).</summary>
    public static CompressionCodec Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        foreach (CompressionCodec codec in All)
        {
            if (string.Equals(Name(codec), name.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return codec;
            }
        }

        throw new NeuroAlignException($"compression: '{name}' is not one of {string.Join(", ", All.Select(Name))}");
    }

    /// <summary>zstd's fastest level (ZSTD_minCLevel): negative levels are zstd's fast ones (the zstd tool's <c>--fast=N</c> is level -N).</summary>
    public const int ZstdFastestLevel = -131072;

    /// <summary>
    /// The levels the codec takes, or null when it has none: gzip -1 (zlib's default, 6) to 9; zstd
    /// and bitshuffle-zstd -131072 to -1 (fast) and 1 to 22, 0 being only zstd's alias for 3; lz4 0 to 12 (0–2 LZ4's fast compressor, 3–12 LZ4-HC). The
    /// bitshuffle filter runs LZ4's fast compressor only, so bitshuffle-lz4 has no level.
    /// </summary>
    public static (int Min, int Max)? LevelRange(CompressionCodec codec) => codec switch
    {
        CompressionCodec.Gzip => (-1, 9),
        CompressionCodec.Zstd or CompressionCodec.BitshuffleZstd => (ZstdFastestLevel, 22),
        CompressionCodec.Lz4 => (0, 12),
        _ => null,
    };

    /// <summary>The level used when none is given: gzip 1, zstd 3 (zstd's own default), lz4 0; null for codecs without levels.</summary>
    public static int? DefaultLevel(CompressionCodec codec) => codec switch
    {
        CompressionCodec.Gzip => 1,
        CompressionCodec.Zstd or CompressionCodec.BitshuffleZstd => 3,
        CompressionCodec.Lz4 => 0,
        _ => null,
    };
}

/// <summary>How the HDF5 sink stores data.</summary>
/// <param name="Codec">The compression of every chunked dataset; gzip (readable by plain h5py) by default.</param>
/// <param name="Level">The codec's level (<see cref="CompressionCodecs.LevelRange"/>); null for its default.</param>
/// <param name="Shuffle">Byte shuffle before gzip, zstd or lz4: groups the high and low bytes of int16 samples, which compresses better.</param>
/// <param name="CompressionThreads">Chunks compressed at once on worker threads; 0 (default) for one per core, 1 to compress on the writing thread.</param>
public sealed record Hdf5SinkOptions(CompressionCodec Codec = CompressionCodec.Gzip, int? Level = null, bool Shuffle = true, int CompressionThreads = 0)
{
    /// <summary>No compression.</summary>
    public static Hdf5SinkOptions Uncompressed { get; } = new(CompressionCodec.None, Shuffle: false);

    /// <summary>The level chunks are written at (the given one or the codec's default); null for codecs without levels.</summary>
    public int? EffectiveLevel => Level ?? CompressionCodecs.DefaultLevel(Codec);

    /// <summary>True when chunks are byte-shuffled first (gzip, zstd, lz4 with <see cref="Shuffle"/>).</summary>
    public bool ShufflesBytes => Shuffle && Codec is CompressionCodec.Gzip or CompressionCodec.Zstd or CompressionCodec.Lz4;

    /// <summary>The number of chunks compressed at once: <see cref="CompressionThreads"/>, or the core count for 0.</summary>
    public int EffectiveCompressionThreads => CompressionThreads > 0 ? CompressionThreads : Environment.ProcessorCount;

    /// <summary>Throws a one-line <see cref="NeuroAlignException"/> when the level does not fit the codec.</summary>
    public void Validate()
    {
        if (Level is not int level)
        {
            return;
        }

        string name = CompressionCodecs.Name(Codec);
        if (CompressionCodecs.LevelRange(Codec) is not var (min, max))
        {
            throw new NeuroAlignException($"compression level {level}: {name} takes no level");
        }

        bool zstd = Codec is CompressionCodec.Zstd or CompressionCodec.BitshuffleZstd;
        if (level < min || level > max || (zstd && level == 0))
        {
            string takes = Codec switch
            {
                CompressionCodec.Gzip => $"0 to {max} (-1 for zlib's default, 6)",
                _ when zstd => $"1 to {max}, or -1 to {min} for zstd's fast levels (the zstd tool's --fast=N)",
                _ => $"{min} to {max}",
            };
            throw new NeuroAlignException($"compression level {level}: {name} takes {takes}");
        }
    }

    /// <summary>The options as text: <c>gzip 1 shuffle</c>, <c>zstd 3 shuffle</c>, <c>bitshuffle-lz4</c>, <c>none</c> (read back by <see cref="Parse"/>).</summary>
    public string Describe()
    {
        string text = CompressionCodecs.Name(Codec);
        if (EffectiveLevel is int level)
        {
            text += " " + level.ToString(CultureInfo.InvariantCulture);
        }

        return ShufflesBytes ? text + " shuffle" : text;
    }

    /// <summary>Reads what <see cref="Describe"/> wrote (shard files carry it).</summary>
    public static Hdf5SinkOptions Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] words = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        CompressionCodec? codec = null;
        if (words.Length > 0)
        {
            try
            {
                codec = CompressionCodecs.Parse(words[0]);
            }
            catch (NeuroAlignException)
            {
                codec = null;
            }
        }

        if (codec is CompressionCodec c)
        {
            bool hasLevel = CompressionCodecs.LevelRange(c) != null;
            int levelWords = hasLevel ? 1 : 0;
            int? level = null;
            bool levelOk = !hasLevel || (words.Length > 1 && int.TryParse(words[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int parsed) && (level = parsed) != null);
            bool shuffle = words.Length == 2 + levelWords && words[1 + levelWords] == "shuffle";
            bool canShuffle = c is CompressionCodec.Gzip or CompressionCodec.Zstd or CompressionCodec.Lz4;
            if (levelOk && (words.Length == 1 + levelWords || (shuffle && canShuffle)))
            {
                var options = new Hdf5SinkOptions(c, level, Shuffle: shuffle);
                try
                {
                    options.Validate();
                    return options;
                }
                catch (NeuroAlignException)
                {
                    // Reported below, with the text.
                }
            }
        }

        throw new NeuroAlignException($"compression '{text}': expected a codec ({string.Join(", ", CompressionCodecs.All.Select(CompressionCodecs.Name))}), its level if it has one, and 'shuffle' for byte-shuffled gzip, zstd or lz4");
    }
}

/// <summary>The compression settings of an export or a merge, declared once for every front end.</summary>
public static class CompressionSettings
{
    public static readonly Setting<CompressionCodec> Codec = Setting.Of(
        "compression",
        "CODEC",
        "gzip (with byte shuffle; plain h5py reads it), zstd, lz4, bitshuffle-lz4, bitshuffle-zstd (h5py needs hdf5plugin) or none",
        text => Setting.Naming("compression", () => CompressionCodecs.Parse(text)),
        defaultText: "gzip");

    public static readonly Setting<int> Level = Setting.Count("level", "N", "the codec's level: gzip 0 (store) to 9 (smallest, slowest), zstd 1 to 22 (or -1, -2, … for its fast levels), lz4 0 to 12; chunks are compressed on every core", int.MinValue, "gzip 1, zstd 3, lz4 0");

    public static readonly IReadOnlyList<Setting> All = [Codec, Level];

    /// <summary>The sink's options from the settings given, or <paramref name="fallback"/> when neither was; a level the codec does not take names the setting.</summary>
    public static Hdf5SinkOptions? Options(SettingValues settings, Hdf5SinkOptions? fallback = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.Has(Codec) && !settings.Has(Level))
        {
            return fallback;
        }

        var options = new Hdf5SinkOptions(settings.Get(Codec, CompressionCodec.Gzip), settings.FindValue(Level));
        Setting.Naming(Level.Key, () =>
        {
            options.Validate();
            return options;
        });
        return options;
    }
}
