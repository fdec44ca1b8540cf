using NeuroAlign.Hdf5.Compression;
using PureHDF;
using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5;

/// <summary>The one way this project opens an HDF5 file that someone else wrote (and may have damaged).</summary>
internal static class Hdf5Files
{
    /// <summary>
    /// Checks the file's metadata (<see cref="Hdf5MetadataCheck"/>), then opens it with PureHDF; a file
    /// that is not HDF5 or is damaged gives one line naming the file and <paramref name="expected"/>.
    /// </summary>
    public static NativeFile OpenRead(string path, string expected)
    {
        Hdf5MetadataCheck.Check(path);

        // Our exports' codecs (zstd, LZ4, bitshuffle) and h5py's files written with hdf5plugin read in
        // any process, not only one that has written an export (which registers them for the sink).
        ChunkFilters.EnsureRegistered();
        try
        {
            return H5File.OpenRead(path);
        }
        catch (Exception e) when (ExportFileReader.IsFileFault(e))
        {
            // PureHDF reports a non-HDF5 file with its own exception types; the user needs one line.
            throw new InvalidRecordingException(path, "HDF5 superblock", ExportFileReader.Describe(e), expected);
        }
    }

    /// <summary>zlib's largest compression ratio (its FAQ: 1032:1): no filter these readers decode packs tighter.</summary>
    private const long DeflateLargestRatio = 1032;

    /// <summary>
    /// Refuses, before anything of that size is allocated, a dataset whose dataspace says more bytes
    /// (<paramref name="found"/>: <paramref name="bytes"/>) than a file of its length can store when
    /// every chunk is written, as the pose writers do: a damaged dimension made a reader allocate
    /// gigabytes and then find the chunks short.
    /// </summary>
    public static void CheckStorable(string path, string where, string found, double bytes)
    {
        long fileBytes = new FileInfo(path).Length;
        if (bytes > (double)fileBytes * DeflateLargestRatio)
        {
            throw new InvalidRecordingException(path, where, found, $"at most {fileBytes * DeflateLargestRatio} bytes of data in a file of {fileBytes} bytes (deflate packs at most {DeflateLargestRatio} bytes into one)");
        }
    }
}
