using NeuroAlign.Alignment;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Hdf5.Tests;

/// <summary>
/// Small windows share chunks (pose, tables, physio): each window is copied into its rows of the
/// chunk being filled, not through PureHDF's hyperslab walk. Windows of 5 000 × 5 float32 (100 kB)
/// give 83 windows per 8 MB chunk: 200 windows are two whole chunks and an edge chunk of 34.
/// </summary>
public class SharedChunkWindowTests
{
    private const int Windows = 200, Points = 5000, Channels = 5;

    [RequiresTheory(Needs.Python)]
    [InlineData("none")]
    [InlineData("gzip")]
    [InlineData("bitshuffle-lz4")]
    public void Export_WindowsSharingChunks_WithEdgeChunkAndMask_H5pyReadsEveryValue(string codecName)
    {
        using var folder = new TempFolder();
        string path = folder.File("out.h5");
        var layout = new ModalityLayout("table", SampleType.Float32, [Channels], Points, new Dictionary<string, object>(), new Dictionary<string, Array>(), HasMask: true);
        Hdf5SinkOptions options = codecName == "none" ? Hdf5SinkOptions.Uncompressed : new Hdf5SinkOptions(CompressionCodecs.Parse(codecName));
        using (var sink = new Hdf5Sink(path, options))
        {
            sink.Begin(new ExportLayout(Enumerable.Range(0, Windows).Select(w => (double)w).ToArray(), [layout], new Dictionary<string, object>()));
            var buffer = new WindowBuffer(layout);
            var data = (float[])buffer.Data;
            for (int w = 0; w < Windows; w++)
            {
                // Value of window w, point k, channel c: w * 100 000 + k * 10 + c (exact in float32 below 2^24).
                for (int k = 0; k < Points; k++)
                {
                    for (int c = 0; c < Channels; c++)
                    {
                        data[(k * Channels) + c] = (w * 100_000f) + (k * 10) + c;
                    }

                    buffer.Timestamps[k] = w + (k / 10_000.0);
                    buffer.SourceIndex[k] = k;
                    buffer.SourceTime[k] = w;
                }

                // The mask keeps channel (w mod 5) of every point.
                for (int i = 0; i < buffer.Mask!.Length; i++)
                {
                    buffer.Mask[i] = (byte)(i % Channels == w % Channels ? 1 : 0);
                }

                buffer.MaskOnes = Points;
                sink.Write(w, 0, buffer);
            }

            sink.Complete();
        }

        string output = Python.Run(
            """
            import sys, h5py, hdf5plugin, numpy as np
            g = h5py.File(sys.argv[1], 'r')['table']
            w, k, c = np.meshgrid(np.arange(200), np.arange(5000), np.arange(5), indexing='ij')
            assert g['data'].chunks[0] == 83, g['data'].chunks
            assert np.array_equal(g['data'][:], (w * 100000 + k * 10 + c).astype(np.float32))
            assert np.array_equal(g['mask'][:], (c == w % 5).astype(np.uint8))
            assert np.allclose(g['kept_fraction'][:], 0.2)
            assert np.array_equal(g['timestamps'][:], np.arange(200)[:, None] + np.arange(5000)[None, :] / 10000.0)
            print('ok', g['data'].compression or g['data']._filters)
            """,
            path);
        Assert.StartsWith("ok", output.Trim(), StringComparison.Ordinal);
    }

    [RequiresTheory(Needs.Python)]
    [InlineData("none")]
    [InlineData("gzip")]
    public void Export_RaggedRowsAcrossChunkBoundaries_H5pyReadsEveryRow(string codecName)
    {
        // 300 000 float64 rows (chunks of 131 072) over 7 windows of uneven counts, one empty:
        // windows straddle chunk boundaries and a chunk holds rows of several windows.
        long[] counts = [100_000, 50_000, 0, 70_000, 1, 39_999, 40_000];
        var columns = new[] { new RaggedColumn("spike_times", SampleType.Float64), new RaggedColumn("spike_units", SampleType.Int32) };
        var layout = new ModalityLayout("spikes", SampleType.UInt16, [2], 4, new Dictionary<string, object>(), new Dictionary<string, Array>(), Ragged: new RaggedLayout(columns, counts), DataName: "counts");
        using var folder = new TempFolder();
        string path = folder.File("out.h5");
        Hdf5SinkOptions options = codecName == "none" ? Hdf5SinkOptions.Uncompressed : new Hdf5SinkOptions(CompressionCodecs.Parse(codecName));
        using (var sink = new Hdf5Sink(path, options))
        {
            sink.Begin(new ExportLayout(Enumerable.Range(0, counts.Length).Select(w => (double)w).ToArray(), [layout], new Dictionary<string, object>()));
            var buffer = new WindowBuffer(layout);
            long row = 0;
            for (int w = 0; w < counts.Length; w++)
            {
                // Row r of the export: time r / 1000, unit r mod 97.
                RaggedWindow rows = buffer.Ragged!;
                rows.Count = 0;
                rows.EnsureCapacity((int)counts[w]);
                for (int i = 0; i < counts[w]; i++, row++)
                {
                    ((double[])rows.Columns[0])[i] = row / 1000.0;
                    ((int[])rows.Columns[1])[i] = (int)(row % 97);
                }

                rows.Count = (int)counts[w];
                sink.Write(w, 0, buffer);
            }

            sink.Complete();
        }

        string output = Python.Run(
            """
            import sys, h5py, numpy as np
            g = h5py.File(sys.argv[1], 'r')['spikes']
            r = np.arange(300000)
            assert g['spike_times'].chunks == (131072,), g['spike_times'].chunks
            assert np.array_equal(g['spike_times'][:], r / 1000.0)
            assert np.array_equal(g['spike_units'][:], r % 97)
            assert np.array_equal(g['window_offsets'][:], np.concatenate([[0], np.cumsum([100000, 50000, 0, 70000, 1, 39999, 40000])]))
            print('ok')
            """,
            path);
        Assert.Equal("ok", output.Trim());
    }
}
