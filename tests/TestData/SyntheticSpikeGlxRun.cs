using System.Buffers.Binary;
using System.Globalization;

namespace NeuroAlign.TestData;

/// <summary>
/// SpikeGLX runs for tests: gate and trigger files of one imec AP stream with the real
/// Noise_g0_t0.imec0.ap.meta (385 channels, 30 kHz), each file's firstSample edited. Every value is
/// a function of the run's sample counter, not of the file: the sample at counter value c holds
/// <see cref="SyntheticSpikeGlx.Value"/>(c, column, 384), so a reader that places a file anywhere
/// else reads the wrong values.
/// </summary>
public static class SyntheticSpikeGlxRun
{
    public const string RealMeta = "Noise_g0_t0.imec0.ap.meta";
    public const int Channels = 385;
    public const int SyncColumn = 384;
    public const double RateHz = 30_000;

    /// <summary>One file of a run: gate, trigger, first sample on the counter, sample count.</summary>
    public readonly record struct RunFile(int Gate, int Trigger, long FirstSample, int Samples);

    /// <summary>The value at counter position <paramref name="counter"/> and column <paramref name="column"/>.</summary>
    public static short Value(long counter, int column) => SyntheticSpikeGlx.Value(counter, column, SyncColumn);

    /// <summary>
    /// Writes the files in SpikeGLX's folder layout (RUN_gN/RUN_gN_imec0/RUN_gN_tM.imec0.ap.bin) under
    /// <paramref name="root"/>, or flat in it; returns the paths of the .bin files written, in order.
    /// </summary>
    public static string[] Write(string root, string run, IEnumerable<RunFile> files, bool flat = false, string stream = "imec0.ap")
    {
        var written = new List<string>();
        foreach (RunFile f in files)
        {
            string folder = flat ? root : Path.Combine(root, $"{run}_g{f.Gate}", $"{run}_g{f.Gate}_imec0");
            Directory.CreateDirectory(folder);
            string name = $"{run}_g{f.Gate}_t{f.Trigger}.{stream}";
            SyntheticSpikeGlx.CopyMeta(folder, RealMeta, line => line.StartsWith("firstSample=", StringComparison.Ordinal) ? $"firstSample={f.FirstSample.ToString(CultureInfo.InvariantCulture)}" : line, name);
            string bin = Path.Combine(folder, name + ".bin");
            WriteBin(bin, f.FirstSample, f.Samples);
            written.Add(bin);
        }

        return written.ToArray();
    }

    /// <summary>Samples [first, first + count) of the counter, 385 int16 channels.</summary>
    public static void WriteBin(string path, long firstSample, int samples)
    {
        var bytes = new byte[(long)samples * Channels * 2];
        for (int k = 0; k < samples; k++)
        {
            for (int c = 0; c < Channels; c++)
            {
                BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(((k * Channels) + c) * 2), Value(firstSample + k, c));
            }
        }

        File.WriteAllBytes(path, bytes);
    }
}
