using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using NeuroAlign.Core.Tests.Formats.Nifti;
using NeuroAlign.Formats.Nifti;
using NeuroAlign.Formats.Npy;
using NeuroAlign.Formats.RawBinary;
using NeuroAlign.Formats.SpikeGlx;
using NeuroAlign.TestData;
using NeuroAlign.TestData.Fuzzing;

namespace NeuroAlign.Core.Tests.Fuzzing;

/// <summary>
/// The defects issue 17 names and those the fuzzers found, each as one input: the reader must refuse
/// it with one line naming the file, the field or offset, what was found and what was expected.
/// </summary>
public sealed class NamedDefectTests
{
    [Fact]
    public void Printable_escape_leaves_no_control_character_and_is_idempotent()
    {
        // FsCheck's generated strings, from a fixed seed: control characters, surrogates, bidi overrides.
        Property property = Prop.ForAll((string? text) =>
        {
            string once = Printable.Escape(text);
            return once.All(c => !char.IsControl(c) && c is not ('\u2028' or '\u2029' or '\u202E'))
                && Printable.Escape(once) == once
                && (text is null || text.All(c => c >= 0x20 && c < 0x7F) == (once == text) || !text.All(c => c >= 0x20 && c < 0x7F));
        });
        Config config = Config.QuickThrowOnFailure.WithMaxTest(300)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(12345UL, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)));
        Check.One(config, property);
    }

    [Fact]
    public void Printable_escapes_terminal_sequences_and_bidi_overrides()
    {
        Assert.Equal("a\\x1B[31mb\\nc\\u202Ed", Printable.Escape("a\u001b[31mb\nc\u202Ed"));
        Assert.Equal("abcdefg... (20 characters)", Printable.Excerpt("abcdefghijklmnopqrst", 10));
    }

    [Fact]
    public void Nifti2_dims_of_2_to_the_40_are_refused_before_any_product()
    {
        using var folder = new TempFolder();
        string path = folder.File("huge.nii");
        byte[] image = NiftiImage();
        BinaryPrimitives.WriteInt64LittleEndian(image.AsSpan(16 + (8 * 4)), 1L << 40);
        File.WriteAllBytes(path, image);

        InvalidRecordingException e = Refused(() => NiftiReader.Open(path, new NiftiOptions(UseSidecars: false)));
        Assert.Equal("dim[4] (byte 48)", e.Location);
        Assert.Equal("1099511627776", e.Found);
        Assert.Contains("2147483647 volumes", e.Expected);
    }

    [Fact]
    public void Nifti1_vox_offset_of_1e30_is_refused()
    {
        using var folder = new TempFolder();
        string path = folder.File("offset.nii");
        NiftiTestFiles.Write(path, 2, 2, 2, 2, new NiftiWriteOptions(RepetitionTime: 1));
        byte[] bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(108), 1e30f);
        File.WriteAllBytes(path, bytes);

        InvalidRecordingException e = Refused(() => NiftiReader.Open(path, new NiftiOptions(UseSidecars: false)));
        Assert.Equal("vox_offset (byte 108)", e.Location);
        Assert.Equal("1.0000000150474662E+30", e.Found);
    }

    [Theory]
    [InlineData("cut trailer", 3)]
    [InlineData("garbage", -5)]
    public void Nii_gz_with_a_cut_trailer_or_garbage_appended_is_refused(string what, int change)
    {
        using var folder = new TempFolder();
        string plain = folder.File("image.nii");
        NiftiTestFiles.Write(plain, 3, 3, 3, 2, new NiftiWriteOptions(RepetitionTime: 1));
        byte[] gz = NiftiFuzzTests.Gzip(File.ReadAllBytes(plain));
        byte[] damaged = change > 0 ? gz[..^change] : [.. gz, .. Encoding.ASCII.GetBytes("junk!")[..(-change)]];
        string path = folder.File("image.nii.gz");
        File.WriteAllBytes(path, damaged);

        InvalidRecordingException e = Refused(() => NiftiReader.Open(path, new NiftiOptions(CacheDirectory: folder.File("cache"), UseSidecars: false)));
        Assert.True(e.Location.StartsWith("gzip", StringComparison.Ordinal), $"{what}: {e.Message}");
    }

    [Fact]
    public void Vox_offset_inside_an_extension_is_an_error()
    {
        using var folder = new TempFolder();
        string path = folder.File("ext.nii");
        NiftiTestFiles.Write(path, 2, 2, 2, 2, new NiftiWriteOptions(RepetitionTime: 1));
        byte[] extended = NiftiFuzzTests.WithExtension(File.ReadAllBytes(path));
        BinaryPrimitives.WriteInt32LittleEndian(extended.AsSpan(352), 48); // esize past vox_offset 384
        File.WriteAllBytes(path, extended);

        InvalidRecordingException e = Refused(() => NiftiReader.Open(path, new NiftiOptions(UseSidecars: false)));
        Assert.Equal("extension 0 esize (byte 352)", e.Location);
        Assert.Contains("vox_offset 384", e.Expected);
    }

    [Fact]
    public void A_denormal_repetition_time_is_refused()
    {
        using var folder = new TempFolder();
        string image = folder.File("sub-01_task-x_bold.nii");
        NiftiTestFiles.Write(image, 2, 2, 2, 3, new NiftiWriteOptions(RepetitionTime: 2));
        string sidecar = folder.File("sub-01_task-x_bold.json");
        File.WriteAllText(sidecar, "{\"RepetitionTime\": 5e-324}");

        InvalidRecordingException e = Refused(() => NiftiReader.Open(image, new NiftiOptions(SidecarPath: sidecar)));
        Assert.Equal("RepetitionTime", e.Location);
        Assert.Contains("5E-324 s", e.Found);
        Assert.Contains("a rate from 1E-06 Hz to 1000000000 Hz", e.Expected);
    }

    [Fact]
    public void Npy_shape_of_2_to_the_61_is_refused_naming_the_shape()
    {
        using var folder = new TempFolder();
        string path = folder.File("huge.npy");
        File.WriteAllBytes(path, NpyFuzzTests.Build("v1 descr '<i2' shape (2305843009213693952, 4) fortran False"));

        InvalidRecordingException e = Refused(() => NpyReader.Open(path, new RawBinaryOptions()));
        Assert.Equal("header 'shape'", e.Location);
        Assert.Contains("2305843009213693952", e.Found);
    }

    [Theory]
    [InlineData("imSampRate=30000", "imSampRate=1e-308", "key 'imSampRate'")]
    [InlineData("imSampRate=30000", "imSampRate=1e10", "key 'imSampRate'")]
    [InlineData("firstSample=1000", "firstSample=9007199254740993", "key 'firstSample'")]
    [InlineData("snsApLfSy=4,0,1", "snsApLfSy=2147483647,2147483647,1", "key 'snsApLfSy'")]
    [InlineData("snsSaveChanSubset=0:3,8", "snsSaveChanSubset=0:2147483646", "key 'snsSaveChanSubset'")]
    [InlineData("snsSaveChanSubset=0:3,8", "snsSaveChanSubset=2147483647", "key 'snsSaveChanSubset'")]
    [InlineData("imMaxInt=512", "imMaxInt=512\nimMaxInt=1024", "key 'imMaxInt' on lines 9 and 10")]
    public void SpikeGlx_metadata_defects_are_refused(string line, string replacement, string location)
    {
        using var folder = new TempFolder();
        string meta = folder.File("rec.meta");
        File.WriteAllText(meta, SpikeGlxFuzzTests.SyntheticImec.Replace(line, replacement, StringComparison.Ordinal));
        SyntheticSpikeGlx.WriteBin(folder.File("rec.bin"), 10, 5, 4);

        InvalidRecordingException e = Refused(() => SpikeGlxReader.Open(folder.File("rec.bin")));
        Assert.Equal(location, e.Location);
    }

    [Fact]
    public void Control_characters_from_a_meta_are_escaped_in_the_message()
    {
        using var folder = new TempFolder();
        string meta = folder.File("rec.meta");
        File.WriteAllText(meta, SpikeGlxFuzzTests.SyntheticImec.Replace("typeThis=imec", "typeThis=\u001b[2J\u0007imec", StringComparison.Ordinal));
        SyntheticSpikeGlx.WriteBin(folder.File("rec.bin"), 10, 5, 4);

        InvalidRecordingException e = Refused(() => SpikeGlxReader.Open(folder.File("rec.bin")));
        Assert.Contains("\\x1B[2J\\x07imec", e.Message);
    }

    private static InvalidRecordingException Refused(Func<IDisposable> open)
    {
        var e = Assert.Throws<InvalidRecordingException>(() => open().Dispose());
        ReaderContract.CheckMessage("refusal", e);
        return e;
    }

    /// <summary>A small little-endian NIfTI-2 image (2 × 2 × 2 × 2 int16).</summary>
    private static byte[] NiftiImage()
    {
        using var folder = new TempFolder();
        string path = folder.File("small.nii");
        NiftiTestFiles.Write(path, 2, 2, 2, 2, new NiftiWriteOptions(RepetitionTime: 1));
        return NiftiFuzzTests.ToNifti2(File.ReadAllBytes(path));
    }
}
