using System.Buffers.Binary;
using NeuroAlign.Formats;
using NeuroAlign.Formats.Npy;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Streams;
using NeuroAlign.TestData;

namespace NeuroAlign.Core.Tests.Formats.Npy;

/// <summary>.npy files written by numpy in every version, byte order and dtype the reader supports.</summary>
public sealed class NumpyWrittenArrays : IDisposable
{
    public const int Samples = 37;
    public const int Channels = 3;

    public static readonly string[] Kinds = ["i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f4", "f8"];

    // numpy writes every array with np.lib.format.write_array(version=...) and the same values,
    // converted to little-endian float64, to a .expected file: the oracle for each element.
    private const string Script = """
import sys, numpy as np
out = sys.argv[1]
rng = np.random.default_rng(7)
for kind in ["i1","u1","i2","u2","i4","u4","i8","u8","f4","f8"]:
    info = np.iinfo(kind) if kind[0] in "iu" else None
    if info is not None:
        lo, hi = max(int(info.min), -2**52), min(int(info.max), 2**52)
        base = rng.integers(lo, hi, size=(37, 3), endpoint=True)
        base[0, 0], base[0, 1] = lo, hi
    else:
        base = rng.standard_normal((37, 3)) * 1e3
    for order in "<>":
        arr = np.asarray(base).astype(order + kind)
        for version in (1, 2, 3):
            name = f"{out}/{kind}_{'le' if order == '<' else 'be'}_v{version}"
            with open(name + ".npy", "wb") as f:
                np.lib.format.write_array(f, arr, version=(version, 0))
            arr.astype("<f8").tofile(name + ".expected")
vec = np.arange(10, dtype="<i2") * 3 - 7
np.save(f"{out}/vector.npy", vec)
np.save(f"{out}/fortran.npy", np.asfortranarray(np.arange(12, dtype="<i2").reshape(4, 3)))
np.save(f"{out}/complex.npy", np.zeros((4, 2), dtype="<c8"))
np.save(f"{out}/half.npy", np.zeros((4, 2), dtype="<f2"))
np.save(f"{out}/bool.npy", np.zeros((4, 2), dtype="?"))
np.save(f"{out}/record.npy", np.zeros(4, dtype=[("a", "<i2"), ("b", "<f4")]))
np.save(f"{out}/cube.npy", np.zeros((2, 3, 4), dtype="<i2"))
np.save(f"{out}/wide.npy", np.zeros((2, 40), dtype="<i2"))
np.save(f"{out}/times.npy", np.arange(5, dtype="<f8") / 30000.0 + 12.5)
np.save(f"{out}/samplenumbers_be.npy", (np.arange(5) + 177385).astype(">i8"))
""";

    private readonly TempFolder _folder = new();

    public NumpyWrittenArrays()
    {
        if (Python.MissingReason is null)
        {
            Python.Run(Script, _folder.Path);
        }
    }

    public string File(string name) => _folder.File(name);

    public void Dispose() => _folder.Dispose();
}

public class NpyReaderTests(NumpyWrittenArrays arrays) : IClassFixture<NumpyWrittenArrays>
{
    private static readonly RawBinaryOptions Options = new(SampleRateHz: 1000, GainToMicrovolts: 0.5, StartSeconds: 2);

    public static TheoryData<string, string, int> AllVariants()
    {
        var data = new TheoryData<string, string, int>();
        foreach (string kind in NumpyWrittenArrays.Kinds)
        {
            foreach (string order in new[] { "le", "be" })
            {
                foreach (int version in new[] { 1, 2, 3 })
                {
                    data.Add(kind, order, version);
                }
            }
        }

        return data;
    }

    [RequiresTheory(Needs.Python)]
    [MemberData(nameof(AllVariants))]
    public void Open_NumpyWrittenArray_EveryElementMatchesNumpy(string kind, string order, int version)
    {
        string name = $"{kind}_{order}_v{version}";
        byte[] expectedBytes = File.ReadAllBytes(arrays.File(name + ".expected"));

        using EphysRecording recording = NpyReader.Open(arrays.File(name + ".npy"), Options);
        var block = new byte[recording.FrameBytes * NumpyWrittenArrays.Samples];
        recording.ReadBlock(0, NumpyWrittenArrays.Samples, block);

        Assert.Equal(NumpyWrittenArrays.Samples, recording.SampleCount);
        Assert.Equal(NumpyWrittenArrays.Channels, recording.ChannelCount);
        Assert.Equal("npy", recording.FormatName);
        for (int i = 0; i < NumpyWrittenArrays.Samples * NumpyWrittenArrays.Channels; i++)
        {
            double expected = BinaryPrimitives.ReadDoubleLittleEndian(expectedBytes.AsSpan(i * 8));
            Assert.Equal(expected, recording.ElementType.ReadAsDouble(block, i));
        }
    }

    [RequiresFact(Needs.Python)]
    public void Open_Vector_IsOneChannelWithTheRateAndGainOfTheOptions()
    {
        using EphysRecording recording = EphysReader.Open(arrays.File("vector.npy"), new EphysOpenOptions { Raw = Options });

        Assert.Equal(1, recording.ChannelCount);
        Assert.Equal(10, recording.SampleCount);
        Assert.Equal(1000, recording.SampleRateHz);
        Assert.Equal(2.0, recording.Clock.StartSeconds);
        Assert.Equal(0.5, recording.GainsToMicrovolts[0]);
        Assert.Equal(-7 + (3 * 9), ((InterleavedBinaryStream)recording.Data).GetWindow<short>(9, 1)[0]);
    }

    [RequiresFact(Needs.Python)]
    public void Open_LittleEndian_HasAZeroCopyWindow_BigEndianDoesNot()
    {
        using EphysRecording little = NpyReader.Open(arrays.File("i2_le_v1.npy"), Options);
        using EphysRecording big = NpyReader.Open(arrays.File("i2_be_v1.npy"), Options);

        Assert.True(little.TryGetWindow(0, 5, out _));
        Assert.False(big.TryGetWindow(0, 5, out _));
    }

    [RequiresFact(Needs.Python)]
    public void Open_FortranOrder_NamesFortranOrderInOneLine()
    {
        var e = Assert.Throws<InvalidRecordingException>(() => NpyReader.Open(arrays.File("fortran.npy"), Options));

        Assert.Contains("fortran.npy", e.Message);
        Assert.Contains("fortran_order", e.Message);
        Assert.Contains("True", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [RequiresTheory(Needs.Python)]
    [InlineData("complex.npy", "<c8")]
    [InlineData("half.npy", "<f2")]
    [InlineData("bool.npy", "|b1")]
    [InlineData("record.npy", "structured")]
    public void Open_UnsupportedDtype_NamesTheDtype(string file, string shown)
    {
        var e = Assert.Throws<InvalidRecordingException>(() => NpyReader.Open(arrays.File(file), Options));

        Assert.Contains("descr", e.Message);
        Assert.Contains(shown, e.Message);
        Assert.Contains("f8", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [RequiresFact(Needs.Python)]
    public void Open_ThreeDimensions_SaysSamplesAndChannelsExpected()
    {
        var e = Assert.Throws<InvalidRecordingException>(() => NpyReader.Open(arrays.File("cube.npy"), Options));

        Assert.Contains("(2, 3, 4)", e.Message);
        Assert.Contains("[samples, channels]", e.Message);
    }

    [RequiresFact(Needs.Python)]
    public void Open_MoreChannelsThanSamples_WarnsItMayBeTransposed()
    {
        using EphysRecording recording = NpyReader.Open(arrays.File("wide.npy"), Options);

        Assert.Single(recording.Warnings);
        Assert.Contains("[channels, samples]", recording.Warnings[0]);
        Assert.Contains(recording.Details, d => d.Key == "warning");
    }

    [RequiresFact(Needs.Python)]
    public void Open_Truncated_SaysHowManyBytesAreMissing()
    {
        using var folder = new TempFolder();
        string path = folder.File("cut.npy");
        byte[] whole = File.ReadAllBytes(arrays.File("i4_le_v2.npy"));
        File.WriteAllBytes(path, whole[..^10]);

        var e = Assert.Throws<InvalidRecordingException>(() => NpyReader.Open(path, Options));

        Assert.Contains("10 bytes short", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Open_NotNpy_SaysTheMagicIsMissing()
    {
        using var folder = new TempFolder();
        string path = folder.File("fake.npy");
        File.WriteAllBytes(path, new byte[64]);

        var e = Assert.Throws<InvalidRecordingException>(() => NpyReader.Open(path, Options));

        Assert.Contains("NUMPY", e.Message);
        Assert.Contains("byte 0", e.Message);
    }

    [Fact]
    public void Parse_UnknownVersion_NamesTheVersion()
    {
        byte[] bytes = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 4, 0, 0, 0, 0, 0];

        var e = Assert.Throws<InvalidRecordingException>(() => NpyHeader.Parse("x.npy", bytes));

        Assert.Contains("4.0", e.Message);
        Assert.Contains("1.0, 2.0 or 3.0", e.Message);
    }

    [Fact]
    public void Parse_MalformedHeader_SaysWhereItStopsMakingSense()
    {
        byte[] header = "{'descr': '<i2', 'fortran_order': Maybe, 'shape': (3,), }\n"u8.ToArray();
        byte[] bytes = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0, .. header];

        var e = Assert.Throws<InvalidRecordingException>(() => NpyHeader.Parse("x.npy", bytes));

        Assert.Contains("header character", e.Message);
        Assert.Contains("Maybe", e.Message);
    }

    [RequiresFact(Needs.Python)]
    public void AsTimestamps_Float64Seconds_ReadsEachTime()
    {
        using NpyArray times = NpyArray.OpenVector(arrays.File("times.npy"), SampleType.Float64);
        var timestamps = times.AsTimestamps();

        Assert.Equal(5, timestamps.Count);
        Assert.Equal(12.5 + (3 / 30000.0), timestamps[3]);
    }

    [RequiresFact(Needs.Python)]
    public void AsTimestamps_BigEndianSampleNumbers_ScalesByThePeriod()
    {
        using NpyArray numbers = NpyArray.OpenVector(arrays.File("samplenumbers_be.npy"), SampleType.Int64);
        var timestamps = numbers.AsTimestamps(1 / 30000.0);

        Assert.True(numbers.Header.BigEndian);
        Assert.Equal(177385 + 4, numbers.GetInt64(4));
        Assert.Equal((177385 + 2) / 30000.0, timestamps[2], 12);
    }

    [RequiresFact(Needs.Python)]
    public void OpenVector_TwoDimensions_IsRejected()
    {
        var e = Assert.Throws<InvalidRecordingException>(() => NpyArray.OpenVector(arrays.File("i2_le_v1.npy")));

        Assert.Contains("(37, 3)", e.Message);
        Assert.Contains("vector", e.Message);
    }
}
