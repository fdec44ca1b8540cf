using NeuroAlign.Core.Tests.Formats.Nifti;
using NeuroAlign.Formats.Bids;
using NeuroAlign.Formats.Nifti;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Core.Tests.Formats.Bids;

/// <summary>
/// Every timing variant in ../shared/data/bids/volume_timing (real sidecars from bids-examples), each
/// paired with a synthetic 10-slice, 9-volume image; expected onsets follow the BIDS definitions:
/// RepetitionTime → onset k = k × TR (DelayTime is the silent end of each TR and moves no onset);
/// VolumeTiming → the listed onsets; SliceTiming → slice s at onset + SliceTiming[s].
/// </summary>
public sealed class BoldTimingTests
{
    private const int Volumes = 9;
    private const int Slices = 10;
    private static readonly double[] Clustered = [0, 1, 2, 6, 7, 8, 12, 13, 14];
    private static readonly double[] TenSlices = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

    [RequiresFact(Needs.SharedData)]
    public void Open_Dense_OnsetsAreKTimesRepetitionTime()
    {
        using var dataset = new VolumeTimingDataset();
        using NiftiStream stream = dataset.Open("dense");

        AssertOnsets(Enumerable.Range(0, Volumes).Select(k => k * 1.0).ToArray(), stream);
        Assert.Equal(BoldTimingKind.RepetitionTime, stream.Timing.Kind);
        Assert.IsType<RegularClock>(stream.Clock);
        Assert.Equal(1.0, stream.Timing.RepetitionTimeSeconds);
        Assert.Contains("sub-01_task-rest_acq-dense_bold.json", stream.Timing.TimingSource);
        Assert.Null(stream.Timing.SliceTimingSeconds);
        Assert.Equal(1.0, stream.Timing.AcquisitionDurationSeconds);
        Assert.Empty(stream.Warnings);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_ConstantSliceTiming_SlicesAtOnsetPlusSliceTiming()
    {
        using var dataset = new VolumeTimingDataset();
        using NiftiStream stream = dataset.Open("constantST");

        AssertOnsets(Enumerable.Range(0, Volumes).Select(k => k * 2.0).ToArray(), stream);
        Assert.Equal(Slices, stream.Timing.SliceCount);
        Assert.Equal(2, stream.Timing.SliceAxis);
        for (int k = 0; k < Volumes; k++)
        {
            for (int s = 0; s < Slices; s++)
            {
                Assert.Equal((k * 2.0) + TenSlices[s], stream.Timing.SliceAcquisitionSeconds(k, s), 12);
            }
        }

        Assert.Empty(stream.Warnings);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_ConstantDelay_OnsetsKTimesTrAndAcquisitionTimeTrMinusDelay()
    {
        using var dataset = new VolumeTimingDataset();
        using NiftiStream stream = dataset.Open("constantDelay");

        // BIDS DelayTime: "time to delay the acquisition of data for the following volume":
        // each TR is TA of acquisition then DelayTime of silence; onsets stay k × TR.
        AssertOnsets(Enumerable.Range(0, Volumes).Select(k => k * 2.0).ToArray(), stream);
        Assert.Equal(1.0, stream.Timing.DelayTimeSeconds);
        Assert.Equal(1.0, stream.Timing.AcquisitionDurationSeconds);
        Assert.Empty(stream.Warnings);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_ClusteredWithFrameAcquisitionDuration_OnsetsFromVolumeTiming()
    {
        using var dataset = new VolumeTimingDataset();
        using NiftiStream stream = dataset.Open("clusteredTA");

        AssertOnsets(Clustered, stream);
        Assert.Equal(BoldTimingKind.VolumeTiming, stream.Timing.Kind);
        Assert.IsType<ExplicitClock>(stream.Clock);
        Assert.Null(stream.Timing.RepetitionTimeSeconds);
        Assert.Equal(1.0, stream.Timing.AcquisitionDurationSeconds);

        // The last volume lasts its acquisition time: the recording ends at 14 + 1 s.
        Assert.Equal(15.0, stream.Clock.EndSeconds, 12);

        // Between clusters, a time maps to the last volume acquired (previous mode).
        Assert.Equal(2, stream.Clock.IndexAtOrBefore(5.9));
        Assert.Empty(stream.Warnings);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_ClusteredWithSliceTiming_SlicesAtVolumeTimingPlusSliceTiming()
    {
        using var dataset = new VolumeTimingDataset();
        using NiftiStream stream = dataset.Open("clusteredST");

        AssertOnsets(Clustered, stream);
        for (int k = 0; k < Volumes; k++)
        {
            for (int s = 0; s < Slices; s++)
            {
                Assert.Equal(Clustered[k] + TenSlices[s], stream.Timing.SliceAcquisitionSeconds(k, s), 12);
            }
        }

        Assert.Empty(stream.Warnings);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_DeprecatedAcquisitionDuration_ReadAsFrameAcquisitionDurationWithWarning()
    {
        using var dataset = new VolumeTimingDataset();
        using NiftiStream stream = dataset.Open("deprecated");

        AssertOnsets(Clustered, stream);
        Assert.Equal(1.0, stream.Timing.AcquisitionDurationSeconds);
        string warning = Assert.Single(stream.Warnings);
        Assert.Contains("AcquisitionDuration is deprecated", warning);
        Assert.Contains("sub-01_task-rest_acq-deprecated_bold.json", warning);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_RunSidecar_InheritsDatasetLevelSidecarNearestLast()
    {
        using var dataset = new VolumeTimingDataset();
        using NiftiStream stream = dataset.Open("dense");

        Assert.Equal(2, stream.Sidecars.Count);
        Assert.Equal("task-rest_bold.json", Path.GetFileName(stream.Sidecars[0]));
        Assert.Equal("sub-01_task-rest_acq-dense_bold.json", Path.GetFileName(stream.Sidecars[1]));
        BidsMetadata merged = BidsMetadata.Discover(dataset.ImagePath("dense"));
        Assert.True(merged.TryGet("EchoTime", out BidsValue echo));
        Assert.Equal(0.03, echo.Value.GetDouble());
        Assert.EndsWith("task-rest_bold.json", echo.SourcePath);
    }

    [Fact]
    public void Discover_NearerSidecar_OverridesKeyButKeepsOthers()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("sub-01/func"));
        File.WriteAllText(temp.File("task-rest_bold.json"), """{"RepetitionTime": 1.0, "EchoTime": 0.04}""");
        File.WriteAllText(temp.File("sub-01/func/sub-01_task-rest_acq-longtr_bold.json"), """{"RepetitionTime": 3.0}""");
        File.WriteAllText(temp.File("sub-01/func/sub-01_task-other_bold.json"), """{"RepetitionTime": 9.0}""");
        string image = temp.File("sub-01/func/sub-01_task-rest_acq-longtr_bold.nii");

        BidsMetadata merged = BidsMetadata.Discover(image);

        Assert.Equal(3.0, merged.GetSeconds("RepetitionTime"));
        Assert.Equal(0.04, merged.GetSeconds("EchoTime"));
        Assert.Equal(2, merged.Sidecars.Count);
    }

    [Fact]
    public void Discover_TwoApplicableSidecarsAtOneLevel_ThrowsNamingBoth()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("sub-01/func"));
        File.WriteAllText(temp.File("sub-01/func/sub-01_task-a_bold.json"), "{}");
        File.WriteAllText(temp.File("sub-01/func/sub-01_task-a_run-1_bold.json"), "{}");

        var e = Assert.Throws<InvalidRecordingException>(() => BidsMetadata.Discover(temp.File("sub-01/func/sub-01_task-a_run-1_bold.nii.gz")));

        Assert.Contains("sub-01_task-a_bold.json", e.Message);
        Assert.Contains("sub-01_task-a_run-1_bold.json", e.Message);
        Assert.Contains("rule 4", e.Message);
    }

    [RequiresFact(Needs.SharedData)]
    public void Open_SevenTeslaSidecar_SeventySlicesInterleavedWithinTr()
    {
        using var temp = new TempFolder();
        Directory.CreateDirectory(temp.File("ds/sub-01/ses-1/func"));
        File.Copy(Path.Combine(RepoPaths.SharedData, "bids", "7t_trt", "task-rest_acq-fullbrain_bold.json"), temp.File("ds/task-rest_acq-fullbrain_bold.json"));
        string image = temp.File("ds/sub-01/ses-1/func/sub-01_ses-1_task-rest_acq-fullbrain_run-1_bold.nii.gz");
        NiftiTestFiles.Write(image, 2, 2, 70, 3, new NiftiWriteOptions(RepetitionTime: 3));

        using NiftiStream stream = NiftiReader.Open(image, new NiftiOptions(CacheDirectory: temp.File("cache")));

        Assert.Equal(3.0, stream.Timing.RepetitionTimeSeconds);
        Assert.Equal(70, stream.Timing.SliceCount);
        Assert.Equal(6.0 + 1.508, stream.Timing.SliceAcquisitionSeconds(2, 0), 12);
        Assert.Equal(6.0 + 0.0, stream.Timing.SliceAcquisitionSeconds(2, 1), 12);
        Assert.Empty(stream.Warnings);
    }

    [Fact]
    public void Open_SliceEncodingDirectionReversed_FirstEntryIsLastSlice()
    {
        using var temp = new TempFolder();
        string image = temp.File("sub-01_task-x_bold.nii");
        NiftiTestFiles.Write(image, 3, 4, 2, 2);
        File.WriteAllText(temp.File("sub-01_task-x_bold.json"), """{"RepetitionTime": 2, "SliceTiming": [0, 0.5, 1.0, 1.5], "SliceEncodingDirection": "j-"}""");

        using NiftiStream stream = NiftiReader.Open(image);

        Assert.Equal(1, stream.Timing.SliceAxis);
        Assert.Equal(1.5, stream.Timing.SliceOffsetSeconds(0));
        Assert.Equal(0.0, stream.Timing.SliceOffsetSeconds(3));
    }

    [Fact]
    public void Open_VolumeTimingAndRepetitionTime_ThrowsMutuallyExclusive()
    {
        using var temp = new TempFolder();
        string image = temp.File("sub-01_task-x_bold.nii");
        NiftiTestFiles.Write(image, 2, 2, 2, 3);
        File.WriteAllText(temp.File("sub-01_task-x_bold.json"), """{"RepetitionTime": 2, "VolumeTiming": [0, 1, 5]}""");

        var e = Assert.Throws<InvalidRecordingException>(() => NiftiReader.Open(image));

        Assert.Contains("mutually exclusive", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Open_VolumeTimingLengthNotVolumeCount_Throws()
    {
        using var temp = new TempFolder();
        string image = temp.File("sub-01_task-x_bold.nii");
        NiftiTestFiles.Write(image, 2, 2, 2, 3);
        File.WriteAllText(temp.File("sub-01_task-x_bold.json"), """{"VolumeTiming": [0, 1], "FrameAcquisitionDuration": 0.5}""");

        var e = Assert.Throws<InvalidRecordingException>(() => NiftiReader.Open(image));

        Assert.Equal("VolumeTiming", e.Location);
        Assert.Contains("2 onsets", e.Found);
        Assert.Contains("3, one per volume", e.Expected);
    }

    private static void AssertOnsets(double[] expected, NiftiStream stream)
    {
        Assert.Equal(expected.Length, stream.Clock.SampleCount);
        for (int k = 0; k < expected.Length; k++)
        {
            Assert.Equal(expected[k], stream.Clock.TimeOf(k), 12);
            Assert.Equal(expected[k], stream.Timing.VolumeOnsetSeconds(k), 12);
            Assert.Equal(k, stream.Clock.IndexAtOrBefore(expected[k]));
        }
    }

    /// <summary>A copy of bids/volume_timing's sidecars with a 2×2×10×9 image beside each run sidecar.</summary>
    private sealed class VolumeTimingDataset : IDisposable
    {
        private readonly TempFolder _temp = new();

        public VolumeTimingDataset()
        {
            string source = Path.Combine(RepoPaths.SharedData, "bids", "volume_timing");
            foreach (string json in Directory.EnumerateFiles(source, "*.json", SearchOption.AllDirectories))
            {
                string target = Path.Combine(Root, Path.GetRelativePath(source, json));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(json, target);
                if (target.EndsWith("_bold.json", StringComparison.Ordinal) && target.Contains("sub-01", StringComparison.Ordinal))
                {
                    // The header holds no TR (pixdim[4] = 0): the timing comes from the sidecars alone.
                    NiftiTestFiles.Write(target[..^".json".Length] + ".nii.gz", 2, 2, Slices, Volumes, new NiftiWriteOptions(RepetitionTime: 0));
                }
            }
        }

        public string Root => _temp.File("volume_timing");

        public string ImagePath(string acquisition) => Path.Combine(Root, "sub-01", "func", $"sub-01_task-rest_acq-{acquisition}_bold.nii.gz");

        public NiftiStream Open(string acquisition) => NiftiReader.Open(ImagePath(acquisition), new NiftiOptions(CacheDirectory: _temp.File("cache")));

        public void Dispose() => _temp.Dispose();
    }
}
