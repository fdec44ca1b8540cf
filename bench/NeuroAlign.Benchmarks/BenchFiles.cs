namespace NeuroAlign.Benchmarks;

/// <summary>Generated inputs, kept between runs in $NEUROALIGN_BENCH_DIR (default /tmp/neuroalign-bench).</summary>
public static class BenchFiles
{
    public static string Folder
    {
        get
        {
            string dir = Environment.GetEnvironmentVariable("NEUROALIGN_BENCH_DIR") ?? Path.Combine(Path.GetTempPath(), "neuroalign-bench");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    /// <summary>An int16 recording of <paramref name="channels"/> × <paramref name="seconds"/> at 30 kHz with pseudo-random values.</summary>
    public static string Int16Recording(int channels, int seconds)
    {
        string path = Path.Combine(Folder, $"ephys_{channels}ch_{seconds}s.dat");
        long bytes = (long)channels * 30_000 * seconds * 2;
        if (File.Exists(path) && new FileInfo(path).Length == bytes)
        {
            return path;
        }

        var random = new Random(42);
        var block = new byte[1 << 22];
        using var file = new FileStream(path + ".partial", FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        for (long written = 0; written < bytes; written += block.Length)
        {
            random.NextBytes(block);
            file.Write(block, 0, (int)Math.Min(block.Length, bytes - written));
        }

        file.Dispose();
        File.Move(path + ".partial", path, overwrite: true);
        return path;
    }
}
