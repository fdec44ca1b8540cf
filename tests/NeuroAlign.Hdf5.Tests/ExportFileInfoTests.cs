namespace NeuroAlign.Hdf5.Tests;

/// <summary>How info names a data pipeline: as --compression names it, or filter by filter when neuro-align did not write it.</summary>
public class ExportFileInfoTests
{
    [Fact]
    public void Compression_APipelineNeuroAlignDoesNotWrite_IsNamedFilterByFilter()
    {
        // h5py + hdf5plugin's Blosc, and Fletcher32 after gzip: files another tool rewrote.
        Assert.Equal("filters Blosc (32001) (not a pipeline neuro-align writes)", ExportFileInfo.Compression([new(32001, 0, [2, 2, 2, 0, 5, 1, 2])]));
        Assert.Equal("filters shuffle (2), deflate (1), Fletcher32 (3) (not a pipeline neuro-align writes)", ExportFileInfo.Compression([new(2, 0, [2]), new(1, 0, [4]), new(3, 0, [])]));
    }

    [Fact]
    public void Compression_BitshuffleWithoutItsCompressorField_IsNotGuessed()
    {
        // Bitshuffle's client data names its compressor in value 4; fewer values is not one of ours.
        Assert.Equal("filters bitshuffle (32008) (not a pipeline neuro-align writes)", ExportFileInfo.Compression([new(32008, 0, [0, 5, 2])]));
        Assert.Equal("compression not read (the dataset's object header was not found)", ExportFileInfo.Compression(null));
    }
}
