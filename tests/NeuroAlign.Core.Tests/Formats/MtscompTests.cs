using System.Runtime.InteropServices;
using NeuroAlign.Formats;
using NeuroAlign.Formats.Mtscomp;
using NeuroAlign.Streams;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Formats;

/// <summary>A .cbin of 5 chunks (the last short) written by the test-only compressor; the truth is the synthetic values.</summary>
public sealed class MtscompStreamConformanceTests : SampleStreamConformance<MtscompStream>
{
    public const int Channels = 7;
    public const int Samples = 1130;
    public const double RateHz = 2500;
    private readonly TempFolder _folder = new();
    private readonly Lazy<string> _cbin;

    public MtscompStreamConformanceTests() => _cbin = new(() =>
    {
        MtscompWriter.Write(_folder.File("x.cbin"), _folder.File("x.ch"), MtscompTests.Values(Samples, Channels), Channels, RateHz, chunkSamples: 250);
        return _folder.File("x.cbin");
    });

    protected override long ExpectedSampleCount => Samples;

    protected override string ExpectedFormatName => "mtscomp";

    protected override SampleType ExpectedElementType => SampleType.Int16;

    protected override IReadOnlyList<int> ExpectedSampleShape => [Channels];

    protected override bool ExpectsSourceMemory => false;

    protected override MtscompStream OpenStream() =>
        MtscompStream.Open(_cbin.Value, Path.ChangeExtension(_cbin.Value, ".ch"), n => new RegularClock(0.5, RateHz, n), null, null, "mtscomp");

    protected override void ExpectedSample(long index, Span<byte> destination)
    {
        Span<short> values = MemoryMarshal.Cast<byte, short>(destination);
        for (int c = 0; c < Channels; c++)
        {
            values[c] = SyntheticEphys.Value(index, c);
        }
    }

    protected override double ExpectedTimeSeconds(long index) => 0.5 + (index / RateHz);

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _folder.Dispose();
    }
}

public class MtscompTests
{
    /// <summary>The synthetic values, interleaved: wide swings so int16 differences wrap.</summary>
    public static short[] Values(int samples, int channels)
    {
        var data = new short[samples * channels];
        for (int k = 0; k < samples; k++)
        {
            for (int c = 0; c < channels; c++)
            {
                data[(k * channels) + c] = SyntheticEphys.Value(k, c);
            }
        }

        return data;
    }

    private static short[] ReadAll(MtscompStream stream)
    {
        var all = new short[stream.SampleCount * stream.ChannelCount];
        stream.ReadBlock(0, (int)stream.SampleCount, MemoryMarshal.AsBytes(all.AsSpan()));
        return all;
    }

    private static MtscompStream Open(string cbin) =>
        MtscompStream.Open(cbin, Path.ChangeExtension(cbin, ".ch"), n => new RegularClock(0, 30000, n), null, null, "mtscomp");

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void Read_EveryLayout_GivesBackTheSamples(bool channelMajor, bool spatialDiff)
    {
        using var folder = new TempFolder();
        short[] data = Values(1000, 5);
        data[3] = short.MinValue;
        data[8] = short.MaxValue;
        MtscompWriter.Write(folder.File("x.cbin"), folder.File("x.ch"), data, 5, 30000, chunkSamples: 333, channelMajor, spatialDiff);

        using MtscompStream stream = Open(folder.File("x.cbin"));

        Assert.Equal(data, ReadAll(stream));
        Assert.Equal(4, stream.Header.ChunkCount);
    }

    [RequiresFact(Needs.Python)]
    public void Read_CbinWrittenByPythonFromTheFormat_IsIdenticalToTheBinItCameFrom()
    {
        // The oracle: numpy and zlib compress a .bin as the mtscomp README describes (time differences
        // keeping each chunk's first sample, chunk order F, zlib per chunk, offsets and bounds in the .ch).
        using var folder = new TempFolder();
        SyntheticEphys.WriteInt16(folder.File("x.bin"), 7000, 13);
        const string Script = """
import sys, json, zlib
import numpy as np
src, cbin, ch = sys.argv[1:4]
C, rate, chunk = 13, 30000.0, 3000
x = np.fromfile(src, dtype=np.int16).reshape(-1, C)
bounds, offsets, pos = [0], [0], 0
with open(cbin, 'wb') as f:
    for i0 in range(0, x.shape[0], chunk):
        c = x[i0:i0 + chunk]
        d = np.concatenate((c[:1], np.diff(c, axis=0)), axis=0).astype(np.int16)
        z = zlib.compress(d.tobytes(order='F'))
        f.write(z); pos += len(z)
        bounds.append(i0 + c.shape[0]); offsets.append(pos)
json.dump(dict(version='1.0', algorithm='zlib', comp_level=-1, do_time_diff=True, do_spatial_diff=False,
               dtype=str(x.dtype), n_channels=C, sample_rate=rate, chunk_bounds=bounds, chunk_offsets=offsets,
               chunk_order='F', shape=list(x.shape)), open(ch, 'w'), indent=2, sort_keys=True)
""";
        Python.Run(Script, folder.File("x.bin"), folder.File("x.cbin"), folder.File("x.ch"));

        using MtscompStream stream = Open(folder.File("x.cbin"));

        byte[] expected = File.ReadAllBytes(folder.File("x.bin"));
        Assert.True(MemoryMarshal.AsBytes(ReadAll(stream).AsSpan()).SequenceEqual(expected), "the .cbin read back differs from the .bin");
        Assert.Equal(3, stream.Header.ChunkCount);
    }

    [Fact]
    public void Read_LongRead_HoldsNoMoreChunksThanTheCache()
    {
        using var folder = new TempFolder();
        short[] data = Values(4000, 3);
        MtscompWriter.Write(folder.File("x.cbin"), folder.File("x.ch"), data, 3, 30000, chunkSamples: 100);

        using MtscompStream stream = Open(folder.File("x.cbin"));

        Assert.Equal(40, stream.CacheCapacityChunks);
        Assert.Equal(data, ReadAll(stream));
    }

    [Fact]
    public void Open_ChunkOffsetsDisagreeWithTheCbinSize_IsOneLine()
    {
        using var folder = new TempFolder();
        MtscompWriter.Write(folder.File("x.cbin"), folder.File("x.ch"), Values(500, 2), 2, 30000, chunkSamples: 200);
        using (var f = File.OpenWrite(folder.File("x.cbin")))
        {
            f.SetLength(f.Length - 5);
        }

        var e = Assert.Throws<InvalidRecordingException>(() => Open(folder.File("x.cbin")));

        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith(folder.File("x.ch") + ": chunk_offsets[3]: found", e.Message);
        Assert.Contains("expected the .cbin's size", e.Message);
    }

    [Fact]
    public void Read_ChunkThatDoesNotInflate_IsOneLineNamingTheChunk()
    {
        using var folder = new TempFolder();
        MtscompWriter.Write(folder.File("x.cbin"), folder.File("x.ch"), Values(500, 2), 2, 30000, chunkSamples: 200);
        byte[] bytes = File.ReadAllBytes(folder.File("x.cbin"));
        bytes[^3] ^= 0xFF;
        bytes[^4] ^= 0xFF;
        File.WriteAllBytes(folder.File("x.cbin"), bytes);
        using MtscompStream stream = Open(folder.File("x.cbin"));

        var e = Assert.Throws<InvalidRecordingException>(() => stream.ReadBlock(450, 10, new byte[40]));

        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith(folder.File("x.cbin") + ": chunk 2 (bytes", e.Message);
        Assert.Equal(SyntheticEphys.Value(10, 1), BitConverter.ToInt16(ReadOne(stream, 10), 2));
    }

    private static byte[] ReadOne(MtscompStream stream, long sample)
    {
        var b = new byte[stream.FrameBytes];
        stream.ReadBlock(sample, 1, b);
        return b;
    }

    [Theory]
    [InlineData("\"dtype\": \"int16\"", "\"dtype\": \"float32\"", "field 'dtype': found 'float32', expected int16, uint16 or int32")]
    [InlineData("\"chunk_order\": \"F\"", "\"chunk_order\": \"X\"", "field 'chunk_order': found 'X'")]
    [InlineData("\"n_channels\": 2", "\"n_channels\": \"2\"", "field 'n_channels': found a JSON String")]
    [InlineData("\"chunk_bounds\": [0, 200", "\"chunk_bounds\": [0, 0", "chunk_bounds[1]: found 0")]
    [InlineData("\"algorithm\": \"zlib\"", "\"algorithm\": \"lzma\"", "field 'algorithm': found 'lzma'")]
    public void Open_BadHeaderField_IsOneLineNamingIt(string original, string replacement, string expected)
    {
        using var folder = new TempFolder();
        MtscompWriter.Write(folder.File("x.cbin"), folder.File("x.ch"), Values(500, 2), 2, 30000, chunkSamples: 200);
        string text = File.ReadAllText(folder.File("x.ch"));
        Assert.Contains(original, text);
        File.WriteAllText(folder.File("x.ch"), text.Replace(original, replacement, StringComparison.Ordinal));

        var e = Assert.Throws<InvalidRecordingException>(() => Open(folder.File("x.cbin")));

        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains(expected, e.Message);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_SpikeGlxCbinWithItsMeta_ReadsAsTheBinWith_TheMetasClockAndGains()
    {
        using var folder = new TempFolder();
        SyntheticSpikeGlx.CopyMeta(folder.Path, "Noise_g0_t0.imec0.ap.meta", baseName: "rec.ap");
        SyntheticSpikeGlx.WriteBin(folder.File("rec.ap.bin"), 900, 385, syncColumn: 384);
        byte[] bin = File.ReadAllBytes(folder.File("rec.ap.bin"));
        short[] data = MemoryMarshal.Cast<byte, short>(bin).ToArray();
        MtscompWriter.Write(folder.File("rec.ap.cbin"), folder.File("rec.ap.ch"), data, 385, 30000, chunkSamples: 400);
        using EphysRecording plain = EphysReader.Open(folder.File("rec.ap.bin"), new EphysOpenOptions());
        File.Delete(folder.File("rec.ap.bin"));

        using EphysRecording compressed = EphysReader.Open(folder.File("rec.ap.cbin"), new EphysOpenOptions());

        Assert.Equal(plain.Clock.StartSeconds, compressed.Clock.StartSeconds);
        Assert.Equal(plain.GainsToMicrovolts, compressed.GainsToMicrovolts);
        Assert.Equal(plain.ChannelNames, compressed.ChannelNames);
        var read = new byte[bin.Length];
        compressed.ReadBlock(0, 900, read);
        Assert.Equal(bin, read);
        Assert.Equal(
            plain.DigitalLines[0].GetAllEdges().Select(e => e.RisingSamples.ToArray()).SelectMany(x => x),
            compressed.DigitalLines[0].GetAllEdges().Select(e => e.RisingSamples.ToArray()).SelectMany(x => x));
        string chunks = compressed.Details.Single(d => d.Key == "chunks").Value;
        Assert.StartsWith("3, up to 400 samples (0.013 s) each", chunks);

        // The .meta alone finds its .cbin when there is no .bin.
        using EphysRecording viaMeta = EphysReader.Open(folder.File("rec.ap.meta"), new EphysOpenOptions());
        Assert.Equal(900, viaMeta.SampleCount);
    }
}
