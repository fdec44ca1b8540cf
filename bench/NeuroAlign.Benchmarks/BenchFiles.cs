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

    /// <summary>
    /// A 384-channel int16 recording at 30 kHz that compresses like a Neuropixels AP-band file:
    /// Gaussian noise (sd 30 counts) plus a shared 8 Hz wave scaled per channel. Kept in
    /// <see cref="Folder"/> as ephys_real_{seconds}s.dat.
    /// </summary>
    public static string RealisticRecording(int seconds)
    {
        string path = Path.Combine(Folder, $"ephys_real_{seconds}s.dat");
        long bytes = 384L * 30_000 * seconds * 2;
        if (!File.Exists(path) || new FileInfo(path).Length != bytes)
        {
            WriteRealisticEphys(path, bytes);
        }

        return path;
    }

    /// <summary>Writes <paramref name="bytes"/> (rounded down to whole samples) of <see cref="RealisticRecording"/>'s signal to <paramref name="path"/>.</summary>
    public static void WriteRealisticEphys(string path, long bytes)
    {
        const int Channels = 384;
        const int RowsPerBlock = 2048;
        const int TableSize = 1 << 21;

        // A table of Gaussian noise read at a random offset per block: cheap enough for 100 GB, and
        // the repeats are further apart than deflate's 32 KB window, so they do not help it.
        var random = new Random(42);
        short[] noise = new short[TableSize];
        for (int i = 0; i < TableSize; i++)
        {
            double u = 1 - random.NextDouble(), v = random.NextDouble();
            noise[i] = (short)Math.Round(30 * Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * v));
        }

        float[] amplitude = Enumerable.Range(0, Channels).Select(c => (float)(40 + (80 * Math.Sin(c / 30.0)))).ToArray();
        long rows = bytes / (Channels * 2);
        short[] block = new short[RowsPerBlock * Channels];
        using var file = new FileStream(path + ".partial", FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        for (long row = 0; row < rows; row += RowsPerBlock)
        {
            int n = (int)Math.Min(RowsPerBlock, rows - row);
            int offset = random.Next(TableSize - (RowsPerBlock * Channels));
            for (int r = 0; r < n; r++)
            {
                float wave = MathF.Sin(2 * MathF.PI * 8 * ((row + r) % 30_000) / 30_000f);
                int at = r * Channels;
                for (int c = 0; c < Channels; c++)
                {
                    block[at + c] = (short)(noise[offset + at + c] + (int)(amplitude[c] * wave));
                }
            }

            file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(block.AsSpan(0, n * Channels)));
        }

        file.Dispose();
        File.Move(path + ".partial", path, overwrite: true);
    }
}
