using PureHDF.VOL.Native;

namespace NeuroAlign.Hdf5;

/// <summary>
/// A reading chunk cache that keeps the last chunk read. Windows are read in order and a chunk
/// may hold several windows (Hdf5Sink groups up to 8 MB of small windows per chunk), so keeping
/// one chunk decompresses each chunk once while memory stays at one chunk per dataset.
/// </summary>
internal sealed class SingleChunkReadingCache : IReadingChunkCache
{
    private ulong _index;
    private Memory<byte> _chunk;
    private bool _holds;

    public Memory<byte> GetChunk(ulong chunkIndex, Func<Memory<byte>> chunkReader)
    {
        if (!_holds || chunkIndex != _index)
        {
            _chunk = chunkReader();
            _index = chunkIndex;
            _holds = true;
        }

        return _chunk;
    }
}
