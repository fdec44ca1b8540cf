namespace NeuroAlign.Hdf5;

/// <summary>
/// A writing chunk cache whose chunk being filled the sink may write into itself: windows smaller
/// than a chunk go in with one copy each, where PureHDF's hyperslab copy walks the window in runs of
/// its last dimension (a pose window of 30 × 12 points of x, y, score: 360 runs of 3 floats, 0.1 ms).
/// </summary>
internal interface IChunkBeingFilled
{
    /// <summary>The chunk PureHDF asked for last, while it is still being filled (not one written from the caller's memory).</summary>
    Span<byte> ChunkBeingFilled { get; }
}
