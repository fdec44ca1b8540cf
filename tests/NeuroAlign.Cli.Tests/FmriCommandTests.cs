using NeuroAlign.Formats.Nifti;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>--fmri end to end: HDF5 written by the CLI, checked with h5py against nibabel's reading of the same file.</summary>
public class FmriCommandTests
{
    [RequiresFact(Needs.SharedData | Needs.Python)]
    public void Export_FmriOnlyExample4dWithSidecar_EqualsNibabelVolumes()
    {
        using var folder = new TempFolder();
        string image = folder.File("sub-01_task-x_bold.nii.gz");
        File.Copy(RepoPaths.Shared("nifti", "example4d.nii.gz"), image);
        File.WriteAllText(folder.File("sub-01_task-x_bold.json"), """{"RepetitionTime": 2}""");
        string output = folder.File("o.h5");

        var (code, stdout, stderr) = CliRunner.Run("--fmri", image, "--time", "1", "--after", "4", "--fmri-cache", folder.File("cache"), "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Equal("", stderr);
        Assert.Contains("fmri: 2 samples per window at 0.5 Hz, each 128 × 96 × 24 float32", stdout);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np, nibabel as nib
            expected = nib.load(sys.argv[1]).get_fdata()
            f = h5py.File(sys.argv[2], 'r')
            d = f['fmri/data']
            assert d.shape == (1, 2, 128, 96, 24), d.shape
            assert d.dtype == np.float32
            assert np.array_equal(f['fmri/source_index'][0], [0, 1])
            assert np.array_equal(f['fmri/timestamps'][0], [1.0, 3.0])
            assert np.array_equal(f['fmri/source_time'][0], [0.0, 2.0])
            assert np.array_equal(d[0, 0], expected[..., 0].astype(np.float32))
            assert np.array_equal(d[0, 1], expected[..., 1].astype(np.float32))
            assert f.attrs['reference_stream'].startswith('fmri')
            a = f['fmri'].attrs
            assert a['format'] == 'nifti' and a['repetition_time_s'] == 2.0 and a['native_rate_hz'] == 0.5
            assert 'sidecar' in a['timing_source']
            assert 'slice_timing_s' not in f['fmri']
            print('ok')
            """,
            image,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [Slow]
    [RequiresFact(Needs.SharedData | Needs.Python)]
    public void Export_ScaledFunctionalWithEphysAndSliceTiming_EqualsNibabelAtGridVolumes()
    {
        using var folder = new TempFolder();
        string ephys = folder.File("e.dat");
        SyntheticEphys.WriteInt16(ephys, 45 * 30_000, 4);
        string image = folder.File("sub-01_task-x_bold.nii");
        File.Copy(RepoPaths.Shared("nifti", "functional.nii"), image);
        File.WriteAllText(folder.File("sub-01_task-x_bold.json"), """{"RepetitionTime": 2, "SliceTiming": [0, 1.2, 0.6]}""");
        string output = folder.File("o.h5");

        var (code, _, stderr) = CliRunner.Run(
            "--ephys", ephys, "--ephys-channels", "4", "--fmri", image, "--rate", "fmri=1", "--time", "10", "--before", "1", "--after", "3", "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np, nibabel as nib
            expected = nib.load(sys.argv[1]).get_fdata()
            f = h5py.File(sys.argv[2], 'r')
            assert f['ephys/data'].shape == (1, 120000, 4)
            d = f['fmri/data']
            assert d.shape == (1, 4, 17, 21, 3), d.shape
            # grid 9, 10, 11, 12 s on the reference clock; TR 2 s, previous mode: volumes 4, 5, 5, 6.
            assert np.array_equal(f['fmri/timestamps'][0], [9, 10, 11, 12])
            assert np.array_equal(f['fmri/source_index'][0], [4, 5, 5, 6])
            assert np.array_equal(f['fmri/source_time'][0], [8, 10, 10, 12])
            for n, k in enumerate([4, 5, 5, 6]):
                assert np.array_equal(d[0, n], expected[..., k].astype(np.float32)), n
            assert np.array_equal(f['fmri/slice_timing_s'][:], [0, 1.2, 0.6])
            a = f['fmri'].attrs
            assert a['slice_axis'] == 'z' and a['output_rate_hz'] == 1.0
            assert abs(a['scl_slope'] - 0.07540696859359741) < 1e-15
            assert 'no shared clock' in a['clock_assumption']
            assert f.attrs['reference_stream'].startswith('ephys')
            print('ok')
            """,
            image,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [RequiresFact(Needs.SharedData)]
    public void Info_Example4d_ShowsShapeDtypeScalingTrSourceAndSliceTimingWithWarning()
    {
        using var folder = new TempFolder();

        var (code, stdout, stderr) = CliRunner.Run("info", RepoPaths.Shared("nifti", "example4d.nii.gz"), "--fmri-cache", folder.Path);

        Assert.True(code == 0, stderr);
        Assert.Contains("128 × 96 × 24 voxels × 2 volumes", stdout);
        Assert.Contains("stored dtype:", stdout);
        Assert.Contains("int16", stdout);
        Assert.Contains("scaling:", stdout);
        Assert.Contains("TR:", stdout);
        Assert.Contains("2 s from header (pixdim[4] = 2000", stdout);
        Assert.Contains("slice timing:", stdout);
        string warning = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("neuro-align: warning: ", warning);
        Assert.Contains("2000", warning);
    }

    [Fact]
    public void Info_SidecarWithSliceTiming_ShowsSourceAndSlices()
    {
        using var folder = new TempFolder();
        string image = folder.File("sub-01_task-x_bold.nii");
        NiftiWriter.Write<float>(image, new float[2 * 2 * 3 * 4], [2, 2, 3, 4], new NiftiWriteOptions(RepetitionTime: 1.5));
        File.WriteAllText(folder.File("sub-01_task-x_bold.json"), """{"RepetitionTime": 1.5, "SliceTiming": [0, 0.5, 1.0]}""");

        var (code, stdout, stderr) = CliRunner.Run("info", image);

        Assert.True(code == 0, stderr);
        Assert.Contains("1.5 s from sidecar sub-01_task-x_bold.json (RepetitionTime)", stdout);
        Assert.Contains("3 slices along k, 0 to 1 s after each onset", stdout);
        Assert.Contains("none (scl_slope 0)", stdout);
    }

    [Fact]
    public void Info_Physio_ShowsInheritedColumnsRateAndNegativeStart()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("task-rest_physio.json"), """{"SamplingFrequency": 50, "Columns": ["cardiac", "resp"]}""");
        Directory.CreateDirectory(folder.File("sub-01"));
        File.WriteAllText(folder.File("sub-01/sub-01_task-rest_physio.json"), """{"StartTime": -1.5}""");
        string data = folder.File("sub-01/sub-01_task-rest_physio.tsv.gz");
        using (var gzip = new System.IO.Compression.GZipStream(File.Create(data), System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write("1\t2\n3\tn/a\n5\t6\n"u8);
        }

        var (code, stdout, stderr) = CliRunner.Run("info", data, "--fmri-cache", folder.File("cache"));

        Assert.True(code == 0, stderr);
        Assert.Contains("bids-physio", stdout);
        Assert.Contains("cardiac, resp", stdout);
        Assert.Contains("50 Hz", stdout);
        Assert.Contains("t0:", stdout);
        Assert.Contains("-1.5 s", stdout);
        Assert.Contains("samples:", stdout);
    }

    [RequiresFact(Needs.SharedData)]
    public void Export_TruncatedGzip_OneLineAndNoOutput()
    {
        using var folder = new TempFolder();
        byte[] whole = File.ReadAllBytes(RepoPaths.Shared("nifti", "example4d.nii.gz"));
        string image = folder.File("cut.nii.gz");
        File.WriteAllBytes(image, whole[..(whole.Length / 3)]);
        string output = folder.File("o.h5");

        var (code, _, stderr) = CliRunner.Run("--fmri", image, "--time", "0", "--fmri-cache", folder.File("cache"), "--out", output);

        Assert.Equal(1, code);
        ExportCommandTests.AssertOneLineError(code, stderr, image, "truncated");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Export_MalformedSidecar_OneLineWithFileAndLine()
    {
        using var folder = new TempFolder();
        string image = folder.File("sub-01_task-x_bold.nii");
        NiftiWriter.Write<short>(image, new short[8 * 3], [2, 2, 2, 3], new NiftiWriteOptions(RepetitionTime: 1));
        string sidecar = folder.File("sub-01_task-x_bold.json");
        File.WriteAllText(sidecar, "{\n  \"RepetitionTime\": 1\n  \"TaskName\": \"x\"\n}\n");
        string output = folder.File("o.h5");

        var (code, _, stderr) = CliRunner.Run("--fmri", image, "--time", "0", "--out", output);

        ExportCommandTests.AssertOneLineError(code, stderr, sidecar, "line 3", "malformed JSON");
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Export_SliceTimingLengthWrong_OneLine()
    {
        using var folder = new TempFolder();
        string image = folder.File("sub-01_task-x_bold.nii");
        NiftiWriter.Write<short>(image, new short[8 * 3], [2, 2, 2, 3], new NiftiWriteOptions(RepetitionTime: 1));
        File.WriteAllText(folder.File("sub-01_task-x_bold.json"), """{"RepetitionTime": 1, "SliceTiming": [0, 0.3, 0.6]}""");

        var (code, _, stderr) = CliRunner.Run("--fmri", image, "--time", "0", "--out", folder.File("o.h5"));

        ExportCommandTests.AssertOneLineError(code, stderr, "SliceTiming", "3 slice times", "expected 2, one per slice");
    }

    [Fact]
    public void Export_NoTiming_OneLineAsTheOriginalTool()
    {
        using var folder = new TempFolder();
        string image = folder.File("run.nii");
        NiftiWriter.Write<short>(image, new short[8 * 3], [2, 2, 2, 3]);

        var (code, _, stderr) = CliRunner.Run("--fmri", image, "--time", "0", "--out", folder.File("o.h5"));

        ExportCommandTests.AssertOneLineError(code, stderr, image, "no RepetitionTime or VolumeTiming", "no BIDS sidecar found");
    }

    [Fact]
    public void Export_WrongMagic_OneLine()
    {
        using var folder = new TempFolder();
        string image = folder.File("run.nii");
        NiftiWriter.Write<short>(image, new short[8 * 3], [2, 2, 2, 3], new NiftiWriteOptions(RepetitionTime: 1));
        byte[] bytes = File.ReadAllBytes(image);
        "nope"u8.CopyTo(bytes.AsSpan(344));
        File.WriteAllBytes(image, bytes);

        var (code, _, stderr) = CliRunner.Run("--fmri", image, "--time", "0", "--out", folder.File("o.h5"));

        ExportCommandTests.AssertOneLineError(code, stderr, image, "magic (byte 344)", "\"nope\"");
    }

    [Fact]
    public void Export_SingleVolumeWithoutRate_AsksForRate()
    {
        using var folder = new TempFolder();
        string image = folder.File("anat.nii");
        NiftiWriter.Write<short>(image, new short[8], [2, 2, 2]);

        var (code, _, stderr) = CliRunner.Run("--fmri", image, "--time", "0", "--out", folder.File("o.h5"));

        Assert.Equal(2, code);
        ExportCommandTests.AssertOneLineError(code, stderr, "single volume without timing", "--rate fmri=HZ");
    }

    [RequiresFact(Needs.Python)]
    public void Export_LinearModeBetweenVolumes_InterpolatesScaledValues()
    {
        using var folder = new TempFolder();
        string image = Samples.DemoSession.WriteFmri(folder.Path);
        string output = folder.File("o.h5");

        // TR 0.5 s: 2.75 s is halfway between volumes 5 (2.5 s) and 6 (3 s).
        var (code, _, stderr) = CliRunner.Run("--fmri", image, "--fmri-cache", folder.File("cache"), "--time", "2.75", "--after", "0.5", "--mode", "linear", "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            d = f['fmri/data'][0]
            assert d.shape == (1, 8, 6, 4) and d.dtype == np.float32, d.shape
            assert f['fmri/source_index'][0, 0] == 5
            x, y, z = np.meshgrid(np.arange(8), np.arange(6), np.arange(4), indexing='ij')
            assert np.array_equal(d[0], 5500 + 100 * x + 10 * y + z)
            print('ok')
            """,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [Slow]
    [RequiresFact(Needs.Python)]
    public void Demo_FmriVolumesEncodeTheirTruth()
    {
        using var folder = new TempFolder();

        var (code, stdout, stderr) = CliRunner.Run("demo", "--dir", folder.Path);

        Assert.True(code == 0, stderr);
        Assert.Contains("sub-demo_task-demo_bold.nii.gz", stdout);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np, nibabel as nib
            f = h5py.File(sys.argv[1], 'r')
            d = f['fmri/data'][0]
            assert d.shape == (2, 8, 6, 4), d.shape
            assert np.array_equal(f['fmri/source_index'][0], [5, 6])
            x, y, z = np.meshgrid(np.arange(8), np.arange(6), np.arange(4), indexing='ij')
            for n, k in enumerate([5, 6]):
                assert np.array_equal(d[n], 1000 * k + 100 * x + 10 * y + z), n
            img = nib.load(sys.argv[2])
            assert img.shape == (8, 6, 4, 8) and img.header.get_zooms()[3] == 0.5
            assert np.array_equal(img.get_fdata()[..., 6], d[1])
            print('ok')
            """,
            Path.Combine(folder.Path, "aligned.h5"),
            Path.Combine(folder.Path, "sub-demo_task-demo_bold.nii.gz"));
        Assert.Equal("ok", check.Trim());
    }
}
