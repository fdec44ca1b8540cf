using NeuroAlign.Alignment;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Hdf5.Tests;

public class Hdf5SinkMaskTests
{
    [Slow]
    [RequiresFact(Needs.Python)]
    public void Write_LayoutWithMask_WritesMaskAndPerWindowKeptFraction()
    {
        using var folder = new TempFolder();
        string path = folder.File("out.h5");
        var filtered = new ModalityLayout("video", SampleType.UInt8, [6, 5], 4, new Dictionary<string, object> { ["filter"] = "video: signal > 100" }, new Dictionary<string, Array>(), HasMask: true);
        var plain = new ModalityLayout("ephys", SampleType.Int16, [3], 10, new Dictionary<string, object>(), new Dictionary<string, Array>());
        double[] times = Enumerable.Range(0, 23).Select(w => w * 0.25).ToArray();
        using (var sink = new Hdf5Sink(path))
        {
            sink.Begin(new ExportLayout(times, [filtered, plain], new Dictionary<string, object> { ["filter"] = "video: signal > 100" }));
            var video = new WindowBuffer(filtered);
            var ephys = new WindowBuffer(plain);
            Assert.NotNull(video.Mask);
            Assert.Null(ephys.Mask);
            for (int w = 0; w < times.Length; w++)
            {
                // Window w keeps its first w elements: the kept fraction is w / 120.
                var mask = video.Mask!;
                for (int i = 0; i < mask.Length; i++)
                {
                    mask[i] = (byte)(i < w ? 1 : 0);
                }

                video.MaskOnes = w;
                sink.Write(w, 0, video);
                sink.Write(w, 1, ephys);
            }

            sink.Complete();
        }

        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            m = f['video/mask']
            assert m.shape == (23, 4, 6, 5) and m.dtype == np.uint8, (m.shape, m.dtype)
            for w in range(23):
                assert np.array_equal(m[w].ravel(), (np.arange(120) < w).astype(np.uint8)), w
            k = f['video/kept_fraction'][:]
            assert k.dtype == np.float64 and np.array_equal(k, np.arange(23) / 120), k
            assert 'mask' not in f['ephys'] and 'kept_fraction' not in f['ephys']
            assert f.attrs['filter'] == 'video: signal > 100' and f['video'].attrs['filter'] == 'video: signal > 100'
            print('ok')
            """,
            path);
        Assert.Equal("ok", check.Trim());
    }

    [Fact]
    public void Write_MaskedLayoutWithoutMask_Throws()
    {
        using var folder = new TempFolder();
        var masked = new ModalityLayout("ephys", SampleType.Int16, [3], 10, new Dictionary<string, object>(), new Dictionary<string, Array>(), HasMask: true);
        var unmasked = masked with { HasMask = false };
        using var sink = new Hdf5Sink(folder.File("o.h5"));
        sink.Begin(new ExportLayout([0.0], [masked], new Dictionary<string, object>()));

        Assert.Throws<ArgumentException>(() => sink.Write(0, 0, new WindowBuffer(unmasked)));
    }
}
