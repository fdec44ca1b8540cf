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
}
