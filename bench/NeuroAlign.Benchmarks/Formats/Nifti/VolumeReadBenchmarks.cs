using BenchmarkDotNet.Attributes;
using NeuroAlign.Formats.Nifti;

namespace NeuroAlign.Benchmarks.Formats.Nifti;

/// <summary>A 96 × 96 × 48 int16 fMRI run with smooth, compressible values, as .nii and .nii.gz.</summary>
public static class FmriBenchFiles
{
    public static readonly int[] VolumeShape = [96, 96, 48];

    /// <summary>The run with <paramref name="volumes"/> volumes (300 ≈ 265 MB, 1200 ≈ 1.06 GB uncompressed).</summary>
    public static string Run(int volumes, bool gzip)
    {
        string path = Path.Combine(BenchFiles.Folder, $"bold_{volumes}vol.nii{(gzip ? ".gz" : "")}");
        if (File.Exists(path))
        {
            return path;
        }

        int x = VolumeShape[0], y = VolumeShape[1], z = VolumeShape[2];
        var voxels = new short[(long)x * y * z * volumes];
        var random = new Random(3);
        long i = 0;
        for (int t = 0; t < volumes; t++)
        {
            for (int k = 0; k < z; k++)
            {
                for (int j = 0; j < y; j++)
                {
                    for (int a = 0; a < x; a++)
                    {
                        // A brain-like blob plus noise: compresses about as well as real EPI.
                        double r2 = (((a - 48.0) * (a - 48.0)) + ((j - 48.0) * (j - 48.0)) + ((k - 24.0) * (k - 24.0) * 4)) / 1600;
                        voxels[i++] = (short)(r2 < 1 ? 800 + (200 * (1 - r2)) + random.Next(40) : random.Next(8));
                    }
                }
            }
        }

        NiftiWriter.Write<short>(path + ".partial" + (gzip ? ".gz" : ""), voxels, [x, y, z, volumes], new NiftiWriteOptions(RepetitionTime: 2));
        File.Move(path + ".partial" + (gzip ? ".gz" : ""), path, overwrite: true);
        return path;
    }
}

/// <summary>
/// One random volume as scaled float32 [X, Y, Z]: from a memory-mapped .nii, and from a .nii.gz
/// after its one-time pass (the decompressed cache is then mapped the same way). The peer,
/// nibabel's <c>dataobj[..., k]</c>, is bench/peers/nifti_random_volume.py.
/// </summary>
[MemoryDiagnoser]
public class VolumeReadBenchmarks
{
    private NiftiStream _nii = null!;
    private NiftiStream _gz = null!;
    private float[] _volume = null!;
    private int[] _order = null!;
    private int _next;

    [Params(300, 1200)]
    public int Volumes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var options = new NiftiOptions(CacheDirectory: Path.Combine(BenchFiles.Folder, "cache"));
        _nii = NiftiReader.Open(FmriBenchFiles.Run(Volumes, gzip: false), options);
        _gz = NiftiReader.Open(FmriBenchFiles.Run(Volumes, gzip: true), options);
        _volume = new float[FmriBenchFiles.VolumeShape.Aggregate(1, (a, d) => a * d)];
        var random = new Random(4);
        _order = Enumerable.Range(0, 256).Select(_ => random.Next(Volumes)).ToArray();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _nii.Dispose();
        _gz.Dispose();
    }

    [Benchmark(Baseline = true, Description = "random volume, .nii (mmap)")]
    public float Nii()
    {
        _nii.ReadVolume(_order[_next++ % _order.Length], _volume);
        return _volume[0];
    }

    [Benchmark(Description = "random volume, .nii.gz after the one-time pass")]
    public float Gz()
    {
        _gz.ReadVolume(_order[_next++ % _order.Length], _volume);
        return _volume[0];
    }
}

/// <summary>The one-time pass over a .nii.gz: decompress into a fresh cache folder and map.</summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 0, iterationCount: 3, invocationCount: 1)]
public class GzipPassBenchmarks
{
    private string _path = null!;
    private string _cache = null!;

    [Params(300, 1200)]
    public int Volumes { get; set; }

    [GlobalSetup]
    public void Setup() => _path = FmriBenchFiles.Run(Volumes, gzip: true);

    [IterationSetup]
    public void FreshCache()
    {
        _cache = Path.Combine(BenchFiles.Folder, "pass-cache-" + Guid.NewGuid().ToString("N"));
    }

    [IterationCleanup]
    public void RemoveCache()
    {
        if (Directory.Exists(_cache))
        {
            Directory.Delete(_cache, recursive: true);
        }
    }

    [Benchmark(Baseline = true, Description = "plain .NET: GZipStream copied to a file")]
    public long PlainGunzip()
    {
        Directory.CreateDirectory(_cache);
        string target = Path.Combine(_cache, "plain.nii");
        using (var source = new System.IO.Compression.GZipStream(File.OpenRead(_path), System.IO.Compression.CompressionMode.Decompress))
        using (var output = File.Create(target))
        {
            source.CopyTo(output, 1 << 20);
        }

        return new FileInfo(target).Length;
    }

    [Benchmark(Description = "one-time pass (decompress to cache) + open")]
    public long Pass()
    {
        using NiftiStream stream = NiftiReader.Open(_path, new NiftiOptions(CacheDirectory: _cache));
        return stream.Cache!.LengthBytes;
    }
}
