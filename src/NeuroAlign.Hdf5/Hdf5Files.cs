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
}
