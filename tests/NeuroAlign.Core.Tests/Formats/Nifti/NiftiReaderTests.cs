using System.IO.Compression;
using System.Runtime.InteropServices;
using NeuroAlign.Formats.Bids;
using NeuroAlign.Formats.Nifti;
using NeuroAlign.Streams;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Formats.Nifti;

public sealed class NiftiReaderTests
{
    [Fact]
    public void ReadVolume_SyntheticImage_COrderXYZWithZFastest()
    {
        using var temp = new TempFolder();
        string path = temp.File("img.nii");
        NiftiTestFiles.Write(path, 4, 3, 2, 3, new NiftiWriteOptions(RepetitionTime: 2));

        using NiftiStream stream = NiftiReader.Open(path);
        var volume = new float[4 * 3 * 2];
        stream.ReadVolume(2, volume);

        Assert.Equal([4, 3, 2], stream.SampleShape.ToArray());
        int i = 0;
        for (int x = 0; x < 4; x++)
        {
            for (int y = 0; y < 3; y++)
            {
                for (int z = 0; z < 2; z++)
                {
                    Assert.Equal(NiftiTestFiles.Value(x, y, z, 2), volume[i++]);
                }
            }
        }
    }

    [Fact]
    public void ReadSamples_OutsideAndRepeatedIndices_ZerosAndCopies()
    {
        using var temp = new TempFolder();
        string path = temp.File("img.nii");
        NiftiTestFiles.Write(path, 2, 2, 2, 3, new NiftiWriteOptions(RepetitionTime: 1));
        using NiftiStream stream = NiftiReader.Open(path);
        var bytes = new byte[4 * stream.BytesPerSample()];

        stream.ReadSamples([-1, 1, 1, 2], bytes);

        float[] values = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        Assert.All(values[..8], v => Assert.Equal(0f, v));
        Assert.Equal(NiftiTestFiles.Value(0, 0, 0, 1), values[8]);
        Assert.Equal(values[8..16], values[16..24]);
        Assert.Equal(NiftiTestFiles.Value(1, 1, 1, 2), values[31]);
    }

    [Fact]
    public void Open_ScaledSynthetic_AppliesSlopeAndIntercept()
    {
        using var temp = new TempFolder();
        string path = temp.File("img.nii");
        NiftiTestFiles.Write(path, 2, 2, 2, 1, new NiftiWriteOptions(SclSlope: 0.5f, SclInter: -3));

        using NiftiStream stream = NiftiReader.Open(path);
        var volume = new float[8];
        stream.ReadVolume(0, volume);

        Assert.Equal((NiftiTestFiles.Value(1, 1, 1, 0) * 0.5) - 3, volume[7]);
        Assert.Contains(stream.Details, d => d.Key == "scaling" && d.Value.Contains("× 0.5 + -3", StringComparison.Ordinal));
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_Example4dWithoutSidecar_TwoThousandSecondsTakenAsMillisecondsWithWarning()
    {
        using var temp = new TempFolder();
        using NiftiStream stream = NiftiReader.Open(Shared("example4d.nii.gz"), new NiftiOptions(CacheDirectory: temp.Path));

        Assert.Equal(2.0, stream.Timing.RepetitionTimeSeconds);
        Assert.StartsWith("header", stream.Timing.TimingSource);
        string warning = Assert.Single(stream.Warnings);
        Assert.Contains("2000", warning);
        Assert.Contains("implausible", warning);
        Assert.Equal(2.0, stream.Clock.TimeOf(1));
        Assert.Equal([128, 96, 24], stream.SampleShape.ToArray());
        Assert.Contains(stream.Details, d => d.Key == "header" && d.Value.Contains("2 extensions skipped", StringComparison.Ordinal));
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_FunctionalNii_HeaderTrTwoSecondsNoWarning()
    {
        using NiftiStream stream = NiftiReader.Open(Shared("functional.nii"));

        Assert.Equal(2.0, stream.Timing.RepetitionTimeSeconds);
        Assert.Equal(20, stream.VolumeCount);
        Assert.True(stream.Header.HasScaling);
        Assert.Empty(stream.Warnings);
        Assert.Null(stream.Cache);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_AnatomicalBigEndian3d_OneVolumeWithoutTiming()
    {
        using NiftiStream stream = NiftiReader.Open(Shared("anatomical.nii"));

        Assert.True(stream.Header.BigEndian);
        Assert.Equal(1, stream.VolumeCount);
        Assert.Equal(BoldTimingKind.SingleVolume, stream.Timing.Kind);
        Assert.Equal(0, stream.Clock.Locate(1e6, IndexMode.Previous).Index);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_SidecarDisagreesWithHeader_SidecarWinsWithWarning()
    {
        using var temp = new TempFolder();
        string image = temp.File("sub-01_task-x_bold.nii");
        File.Copy(Shared("functional.nii"), image);
        File.WriteAllText(temp.File("sub-01_task-x_bold.json"), """{"RepetitionTime": 2.5}""");

        using NiftiStream stream = NiftiReader.Open(image);

        Assert.Equal(2.5, stream.Timing.RepetitionTimeSeconds);
        Assert.Equal(2.5, stream.Clock.TimeOf(1), 12);
        string warning = Assert.Single(stream.Warnings);
        Assert.Contains("sidecar wins", warning);
        Assert.Contains("2.5 s", warning);
        Assert.Contains("2 s", warning);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_Example4dWithAgreeingSidecar_NoWarning()
    {
        using var temp = new TempFolder();
        string image = temp.File("sub-01_task-x_bold.nii.gz");
        File.Copy(Shared("example4d.nii.gz"), image);
        File.WriteAllText(temp.File("sub-01_task-x_bold.json"), """{"RepetitionTime": 2}""");

        using NiftiStream stream = NiftiReader.Open(image, new NiftiOptions(CacheDirectory: temp.File("cache")));

        Assert.Equal(2.0, stream.Timing.RepetitionTimeSeconds);
        Assert.StartsWith("sidecar", stream.Timing.TimingSource);
        Assert.Empty(stream.Warnings);
    }

    [Theory]
    [InlineData(16, 1500, 1.5)]
    [InlineData(24, 750000, 0.75)]
    [InlineData(8, 0.8, 0.8)]
    public void Open_HeaderTimeUnits_ConvertedToSeconds(int unitCode, double pixdim4, double expectedSeconds)
    {
        using var temp = new TempFolder();
        string path = temp.File("img.nii");
        NiftiTestFiles.Write(path, 2, 2, 2, 3, new NiftiWriteOptions(RepetitionTime: pixdim4, TimeUnitCode: unitCode));

        using NiftiStream stream = NiftiReader.Open(path);

        Assert.Equal(expectedSeconds, stream.Timing.RepetitionTimeSeconds!.Value, 6);
        Assert.Empty(stream.Warnings);
    }

    [Fact]
    public void Open_NoTrAndNoVolumeTiming_ThrowsOneClearLine()
    {
        using var temp = new TempFolder();
        string path = temp.File("sub-01_task-x_bold.nii");
        NiftiTestFiles.Write(path, 2, 2, 2, 3, new NiftiWriteOptions(RepetitionTime: 0));
        File.WriteAllText(temp.File("sub-01_task-x_bold.json"), """{"SliceTiming": [0, 0.5]}""");

        var e = Assert.Throws<InvalidRecordingException>(() => NiftiReader.Open(path));

        Assert.Equal(path, e.FilePath);
        Assert.Contains("no RepetitionTime or VolumeTiming", e.Message);
        Assert.Contains("sub-01_task-x_bold.json", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Open_WrongMagic_ThrowsNamingMagic()
    {
        using var temp = new TempFolder();
        string path = temp.File("img.nii");
        NiftiTestFiles.Write(path, 2, 2, 2, 1);
        Patch(path, 344, "xyz\0"u8);

        var e = Assert.Throws<InvalidRecordingException>(() => NiftiReader.Open(path));

        Assert.Equal("magic (byte 344)", e.Location);
        Assert.Equal("\"xyz\\x00\"", e.Found);
        Assert.Contains("n+1", e.Expected);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Open_NotNifti_ThrowsNamingSizeofHdr()
    {
        using var temp = new TempFolder();
        string path = temp.File("img.nii");
        File.WriteAllText(path, new string('a', 600));

        var e = Assert.Throws<InvalidRecordingException>(() => NiftiReader.Open(path));

        Assert.StartsWith("sizeof_hdr", e.Location);
        Assert.Contains("348", e.Expected);
    }

    [Fact]
    public void Open_DimsDoNotFitNii_ThrowsNamingDimAndSizes()
    {
        using var temp = new TempFolder();
        string path = temp.File("img.nii");
        NiftiTestFiles.Write(path, 4, 4, 4, 2, new NiftiWriteOptions(RepetitionTime: 1));
        using (var file = new FileStream(path, FileMode.Open))
        {
            file.SetLength(file.Length - 10);
        }

        var e = Assert.Throws<InvalidRecordingException>(() => NiftiReader.Open(path));

        Assert.Equal("dim = [4, 4, 4, 4, 2]", e.Location);
        Assert.Contains($"{352 + 256 - 10} bytes", e.Found);
        Assert.Contains("608", e.Expected);
        Assert.Contains("do not fit", e.Expected);
    }

    [Fact]
    public void Open_DimsDoNotFitWholeGzip_ThrowsDimsNotTruncation()
    {
        using var temp = new TempFolder();
        string raw = temp.File("img.nii");
        NiftiTestFiles.Write(raw, 4, 4, 4, 2, new NiftiWriteOptions(RepetitionTime: 1));
        Patch(raw, 48, BitConverter.GetBytes((short)3)); // dim[4] = 3 volumes, file holds 2
        string gz = temp.File("img.nii.gz");
        Gzip(raw, gz);

        var e = Assert.Throws<InvalidRecordingException>(() => NiftiReader.Open(gz, new NiftiOptions(CacheDirectory: temp.File("cache"))));

        Assert.Contains("do not fit", e.Expected);
        Assert.Empty(Directory.EnumerateFiles(temp.File("cache")));
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_TruncatedGzip_ThrowsTruncatedAndLeavesNoCache()
    {
        using var temp = new TempFolder();
        byte[] whole = File.ReadAllBytes(Shared("example4d.nii.gz"));
        string path = temp.File("cut.nii.gz");
        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);

        var e = Assert.Throws<InvalidRecordingException>(() => NiftiReader.Open(path, new NiftiOptions(CacheDirectory: temp.File("cache"))));

        Assert.Equal("gzip stream", e.Location);
        Assert.Contains("truncated", e.Expected);
        Assert.Contains("1180064", e.Expected);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(Directory.EnumerateFiles(temp.File("cache")));
    }

    [Fact]
    public void Open_MalformedSidecar_ThrowsWithFileAndLine()
    {
        using var temp = new TempFolder();
        string image = temp.File("sub-01_task-x_bold.nii");
        NiftiTestFiles.Write(image, 2, 2, 2, 2, new NiftiWriteOptions(RepetitionTime: 1));
        string sidecar = temp.File("sub-01_task-x_bold.json");
        File.WriteAllText(sidecar, "{\n  \"RepetitionTime\": 2,\n  \"SliceTiming\": [0, 0.5,]\n}\n");

        var e = Assert.Throws<InvalidRecordingException>(() => NiftiReader.Open(image));

        Assert.Equal(sidecar, e.FilePath);
        Assert.StartsWith("line 3, column", e.Location);
        Assert.Contains("malformed JSON", e.Found);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Open_SliceTimingLengthNotSliceCount_ThrowsNamingBothCounts()
    {
        using var temp = new TempFolder();
        string image = temp.File("sub-01_task-x_bold.nii");
        NiftiTestFiles.Write(image, 2, 2, 3, 2, new NiftiWriteOptions(RepetitionTime: 1));
        string sidecar = temp.File("sub-01_task-x_bold.json");
        File.WriteAllText(sidecar, """{"RepetitionTime": 1, "SliceTiming": [0, 0.25, 0.5, 0.75]}""");

        var e = Assert.Throws<InvalidRecordingException>(() => NiftiReader.Open(image));

        Assert.Equal(sidecar, e.FilePath);
        Assert.Equal("SliceTiming", e.Location);
        Assert.Equal("4 slice times", e.Found);
        Assert.StartsWith("3, one per slice along axis k", e.Expected);
    }

    [Fact]
    public void Open_VoxOffsetZero_ReadsFromMinimumWithWarning()
    {
        using var temp = new TempFolder();
        string path = temp.File("img.nii");
        NiftiTestFiles.Write(path, 2, 2, 2, 2, new NiftiWriteOptions(RepetitionTime: 1));
        Patch(path, 108, BitConverter.GetBytes(0f));

        using NiftiStream stream = NiftiReader.Open(path);
        var volume = new float[8];
        stream.ReadVolume(1, volume);

        Assert.Equal(NiftiTestFiles.Value(1, 1, 1, 1), volume[7]);
        Assert.Contains(stream.Warnings, w => w.Contains("vox_offset 0", StringComparison.Ordinal) && w.Contains("352", StringComparison.Ordinal));
    }

    [Fact]
    public void Open_PairMagic_SaysPairsAreNotSupported()
    {
        using var temp = new TempFolder();
        string path = temp.File("img.nii");
        NiftiTestFiles.Write(path, 2, 2, 2, 1);
        Patch(path, 344, "ni1\0"u8);

        var e = Assert.Throws<InvalidRecordingException>(() => NiftiReader.Open(path));

        Assert.Contains(".hdr/.img pairs are not supported", e.Expected);
    }

    [Fact]
    public void Open_FiveDimensions_Throws()
    {
        using var temp = new TempFolder();
        string path = temp.File("img.nii");
        NiftiTestFiles.Write(path, 2, 2, 2, 1);
        Patch(path, 40, BitConverter.GetBytes((short)5));
        Patch(path, 50, BitConverter.GetBytes((short)3));

        var e = Assert.Throws<InvalidRecordingException>(() => NiftiReader.Open(path));

        Assert.Equal("dim[5]", e.Location);
    }

    [Fact]
    public void Open_UnsupportedDatatype_Throws()
    {
        using var temp = new TempFolder();
        string path = temp.File("img.nii");
        NiftiTestFiles.Write(path, 2, 2, 2, 1);
        Patch(path, 70, BitConverter.GetBytes((short)32)); // DT_COMPLEX64

        var e = Assert.Throws<InvalidRecordingException>(() => NiftiReader.Open(path));

        Assert.Equal("datatype", e.Location);
        Assert.Equal("code 32", e.Found);
    }

    [Fact]
    public void Open_GzipTwice_SecondOpenReusesCache()
    {
        using var temp = new TempFolder();
        string path = temp.File("img.nii.gz");
        NiftiTestFiles.Write(path, 3, 3, 3, 4, new NiftiWriteOptions(RepetitionTime: 1));
        var options = new NiftiOptions(CacheDirectory: temp.File("cache"));

        string cachePath;
        using (NiftiStream first = NiftiReader.Open(path, options))
        {
            Assert.False(first.Cache!.Reused);
            cachePath = first.Cache.Path;
            Assert.StartsWith(temp.File("cache"), cachePath);
            Assert.Equal(352 + (27 * 2 * 4), first.Cache.LengthBytes);
        }

        using (NiftiStream second = NiftiReader.Open(path, options))
        {
            Assert.True(second.Cache!.Reused);
            Assert.Equal(cachePath, second.Cache.Path);
            var volume = new float[27];
            second.ReadVolume(3, volume);
            Assert.Equal(NiftiTestFiles.Value(2, 2, 2, 3), volume[26]);
        }
    }

    [Fact]
    public void Open_GzipSourceReplaced_CacheIsStaleAndRemade()
    {
        using var temp = new TempFolder();
        string path = temp.File("img.nii.gz");
        var options = new NiftiOptions(CacheDirectory: temp.File("cache"));
        NiftiTestFiles.Write(path, 3, 3, 3, 4, new NiftiWriteOptions(RepetitionTime: 1));
        using (NiftiReader.Open(path, options))
        {
        }

        // Same size class, new content and time: a different image must be read, not the old cache.
        NiftiTestFiles.Write(path, 3, 3, 3, 4, new NiftiWriteOptions(RepetitionTime: 1, SclSlope: 2, SclInter: 0));
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddMinutes(1));

        using NiftiStream again = NiftiReader.Open(path, options);
        Assert.False(again.Cache!.Reused);
        var volume = new float[27];
        again.ReadVolume(1, volume);
        Assert.Equal(NiftiTestFiles.Value(0, 0, 0, 1) * 2, volume[0]);
    }

    [Fact]
    public void Open_CacheFileTruncatedBehindOurBack_IsRemade()
    {
        using var temp = new TempFolder();
        string path = temp.File("img.nii.gz");
        var options = new NiftiOptions(CacheDirectory: temp.File("cache"));
        NiftiTestFiles.Write(path, 3, 3, 3, 2, new NiftiWriteOptions(RepetitionTime: 1));
        string cachePath;
        using (NiftiStream first = NiftiReader.Open(path, options))
        {
            cachePath = first.Cache!.Path;
        }

        using (var file = new FileStream(cachePath, FileMode.Open))
        {
            file.SetLength(400);
        }

        using NiftiStream again = NiftiReader.Open(path, options);
        Assert.False(again.Cache!.Reused);
        Assert.Equal(352 + (27 * 2 * 2), new FileInfo(cachePath).Length);
    }

    [Fact]
    public void ReadHeader_Gzip_ReadsWithoutMakingACache()
    {
        using var temp = new TempFolder();
        string path = temp.File("img.nii.gz");
        NiftiTestFiles.Write(path, 5, 4, 3, 2, new NiftiWriteOptions(RepetitionTime: 1));

        NiftiHeader header = NiftiReader.ReadHeader(path);

        Assert.Equal([5, 4, 3], header.VolumeShape.ToArray());
        Assert.Equal(2, header.VolumeCount);
        Assert.Equal(SampleType.Int16, header.ElementType);
    }

    [Fact]
    public void TryDetect_NiftiAndOther_TrueOnlyForNifti()
    {
        using var temp = new TempFolder();
        string path = temp.File("img.nii");
        NiftiTestFiles.Write(path, 2, 2, 2, 1);
        byte[] bytes = File.ReadAllBytes(path);

        Assert.True(NiftiHeader.TryDetect(bytes));
        bytes[344] = (byte)'x';
        Assert.False(NiftiHeader.TryDetect(bytes));
    }

    [Fact]
    public void Open_ThreeDimensionalSynthetic_SingleVolumeAtZero()
    {
        using var temp = new TempFolder();
        string path = temp.File("img.nii");
        NiftiWriter.Write<float>(path, Enumerable.Range(0, 24).Select(i => i * 0.5f).ToArray(), [2, 3, 4]);

        using NiftiStream stream = NiftiReader.Open(path);
        var volume = new float[24];
        stream.ReadVolume(0, volume);

        Assert.Equal(1, stream.VolumeCount);
        Assert.Equal(0.0, stream.Clock.TimeOf(0));
        // (x 1, y 2, z 3): stored at 1 + 2·2 + 6·3 = 23; C order (1·3 + 2)·4 + 3 = 23.
        Assert.Equal(23 * 0.5f, volume[23]);
        // (x 1, y 0, z 0): stored at 1; C order 12.
        Assert.Equal(0.5f, volume[12]);
    }

    private static string Shared(string file) => Path.Combine(RepoPaths.SharedData, "nifti", file);

    private static void Patch(string path, int offset, ReadOnlySpan<byte> bytes)
    {
        using var file = new FileStream(path, FileMode.Open);
        file.Seek(offset, SeekOrigin.Begin);
        file.Write(bytes);
    }

    private static void Gzip(string from, string to)
    {
        using var source = File.OpenRead(from);
        using var target = new GZipStream(File.Create(to), CompressionLevel.Fastest);
        source.CopyTo(target);
    }
}
