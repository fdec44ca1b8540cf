using System.Runtime.InteropServices;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Streams;

public class LowPassStreamTests
{
    private const double RateHz = 30_000;

    /// <summary>A float32 recording: channel 0 a sum of sines, channel 1 a constant.</summary>
    private static string WriteSines(TempFolder folder, params (double Hz, double Amplitude)[] sines)
    {
        string path = folder.File("sines.dat");
        int samples = 3 * 30_000;
        var data = new float[samples * 2];
        for (int k = 0; k < samples; k++)
        {
            double t = k / RateHz;
            data[k * 2] = (float)sines.Sum(s => s.Amplitude * Math.Sin(2 * Math.PI * s.Hz * t));
            data[(k * 2) + 1] = 250;
        }

        File.WriteAllBytes(path, MemoryMarshal.AsBytes(data.AsSpan()).ToArray());
        return path;
    }

    private static float[] Decimate(string path, double outputRateHz, long first, int count, int step)
    {
        var source = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 2, SampleRateHz: RateHz, ElementType: SampleType.Float32));
        using ContinuousStream filtered = LowPassStream.ForOutputRate(source, outputRateHz);
        long[] indices = Enumerable.Range(0, count).Select(i => first + ((long)i * step)).ToArray();
        var output = new float[count * 2];
        filtered.ReadSamples(indices, MemoryMarshal.AsBytes(output.AsSpan()));
        return output;
    }

    [Theory]
    [InlineData(50)]
    [InlineData(200)]
    [InlineData(380)]
    public void ReadSamples_PassBandSine_KeepsAmplitudeAndPhase(double hz)
    {
        using var folder = new TempFolder();
        string path = WriteSines(folder, (hz, 1000));

        float[] output = Decimate(path, 1000, first: 30_000, count: 1000, step: 30);

        for (int i = 0; i < 1000; i++)
        {
            double t = (30_000 + (i * 30)) / RateHz;
            Assert.Equal(1000 * Math.Sin(2 * Math.PI * hz * t), output[i * 2], 10.0); // within 1 %
            Assert.Equal(250, output[(i * 2) + 1], 0.01);
        }
    }

    [Theory]
    [InlineData(520)]
    [InlineData(3000)]
    [InlineData(14_000)]
    public void ReadSamples_AboveOutputNyquist_AttenuatedBy50dB(double hz)
    {
        using var folder = new TempFolder();
        string path = WriteSines(folder, (hz, 1000));

        float[] output = Decimate(path, 1000, first: 30_000, count: 1000, step: 30);

        double peak = Enumerable.Range(0, 1000).Max(i => Math.Abs(output[i * 2]));
        Assert.True(peak < 1000 * Math.Pow(10, -50 / 20.0), $"{hz} Hz came through at {peak:F3} of 1000");
    }

    [Fact]
    public void ForOutputRate_AtOrAboveNative_ReturnsSourceUnfiltered()
    {
        using var folder = new TempFolder();
        string path = WriteSines(folder, (50, 1));
        using var source = RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 2, ElementType: SampleType.Float32));

        Assert.Same(source, LowPassStream.ForOutputRate(source, 30_000));
    }

    [Fact]
    public void ReadBlock_Int16_RoundsAndKeepsEdgesFinite()
    {
        using var folder = new TempFolder();
        string path = folder.File("x.dat");
        SyntheticEphys.WriteInt16(path, 3000, 4);
        using var filtered = new LowPassStream(RawBinaryReader.Open(path, new RawBinaryOptions(ChannelCount: 4)), 1000);

        var block = new short[3000 * 4];
        filtered.ReadBlock(0, 3000, MemoryMarshal.AsBytes(block.AsSpan()));

        // Hash values average to about zero: after a 1 kHz low-pass they shrink far below the raw ±32768.
        double rms = Math.Sqrt(block.Average(v => (double)v * v));
        Assert.InRange(rms, 1, 15_000);
        Assert.Equal(SampleType.Int16, filtered.ElementType);
    }
}

public class LowPassStreamDigitalTests
{
    [RequiresFact(Needs.SharedData)]
    public void ReadSamples_SpikeGlxSyncChannel_KeepsTheWordUnfiltered()
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, "Noise_g0_t0.imec0.ap.meta");
        string bin = Path.Combine(folder.Path, "rec.bin");
        SyntheticSpikeGlx.WriteBin(bin, 9000, 385, syncColumn: 384);
        using var recording = NeuroAlign.Formats.EphysReader.Open(bin, new NeuroAlign.Formats.EphysOpenOptions());
        Assert.Equal([384], recording.DigitalChannelPositions);
        var filtered = new LowPassStream(recording, 400);

        long[] indices = Enumerable.Range(0, 200).Select(i => 3000 + (i * 30L)).ToArray();
        var output = new short[200 * 385];
        filtered.ReadSamples(indices, MemoryMarshal.AsBytes(output.AsSpan()));

        for (int i = 0; i < indices.Length; i++)
        {
            Assert.Equal(SyntheticSpikeGlx.SyncWord(indices[i]), output[(i * 385) + 384]);
        }
    }
}
