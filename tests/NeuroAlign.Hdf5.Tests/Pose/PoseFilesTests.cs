using System.Runtime.InteropServices;
using NeuroAlign.Formats.Pose;
using NeuroAlign.Hdf5.Pose;
using NeuroAlign.TestData;
using NeuroAlign.Time;

namespace NeuroAlign.Hdf5.Tests.Pose;

/// <summary>The real pose files in ../shared/data/pose read as pandas and h5py read them.</summary>
public sealed class PoseFilesTests
{
    [RequiresTheory(Needs.SharedData | Needs.Python)]
    [InlineData("DLC_sample_poses.h5", "dlc-h5")]
    [InlineData("DLC_sample_poses.csv", "dlc-csv")]
    [InlineData("predictions.analysis.h5", "sleap-h5")]
    [InlineData("small_robot.000_small_robot_3_frame.analysis.h5", "sleap-h5")]
    [InlineData("minimal_instance.000_centered_pair_low_quality.analysis.csv", "sleap-csv")]
    public void Read_RealFile_EqualsPandasAndH5py(string file, string kind)
    {
        string path = RepoPaths.Shared("pose", file);

        PoseData data = PoseFiles.Read(path);
        var (individuals, bodyparts, shape, expected) = PoseOracle.Read(kind, path);

        Assert.Equal(individuals, data.Individuals);
        Assert.Equal(bodyparts, data.Bodyparts);
        Assert.Equal(shape, new[] { data.FrameCount, data.Individuals.Count, data.Bodyparts.Count, 3 });
        float[] actual = ReadAll(data);
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            // Bit for bit: both sides round the file's float64 to float32 once; NaN stays NaN.
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]) && !(float.IsNaN(expected[i]) && float.IsNaN(actual[i])))
            {
                Assert.Fail($"{file}: value {i} (frame {i / data.ValuesPerFrame}) is {actual[i]:R}, pandas/h5py read {expected[i]:R}");
            }
        }
    }

    [RequiresFact(Needs.SharedData)]
    public void Read_DeepLabCutH5AndCsvOfOneSession_Agree()
    {
        float[] h5 = ReadAll(PoseFiles.Read(RepoPaths.Shared("pose", "DLC_sample_poses.h5")));
        float[] csv = ReadAll(PoseFiles.Read(RepoPaths.Shared("pose", "DLC_sample_poses.csv")));

        // SOURCES.md: the two forms agree to 1e-13, far below float32's resolution at these values.
        Assert.Equal(h5, csv);
    }

    [RequiresFact(Needs.SharedData)]
    public void Read_DeepLabCutSample_KeepsZerosWithLikelihoodZeroForUntrackedFrames()
    {
        PoseData data = PoseFiles.Read(RepoPaths.Shared("pose", "DLC_sample_poses.h5"));
        float[] values = ReadAll(data);

        // SOURCES.md: frames 1076..1084 are x = y = 0 with likelihood 0 (DeepLabCut's "missing").
        Assert.Equal(1085, data.FrameCount);
        Assert.All(values[(1076 * data.ValuesPerFrame)..], v => Assert.Equal(0f, v));
        Assert.Equal((0, 0.999965), (data.ScoreRange().Min, Math.Round(data.ScoreRange().Max, 6)));
    }

    [RequiresFact(Needs.SharedData)]
    public void Read_SleapLabelsFile_RefusedWithTheExportToUse()
    {
        var error = Assert.Throws<InvalidRecordingException>(() => PoseFiles.Read(RepoPaths.Shared("pose", "clip.predictions.slp")));

        Assert.Contains("sleap-convert --format analysis", error.Message, StringComparison.Ordinal);
    }

    [RequiresFact(Needs.Python)]
    public void Read_DeepLabCutH5LongerThanOneSlab_EqualsPandas()
    {
        // 20 000 rows: two whole slabs of 8192 rows and a shorter last one; multi-animal, written by pandas as DeepLabCut does.
        using var folder = new TempFolder();
        string path = folder.File("long.h5");
        Python.Run(
            """
            import sys, numpy as np, pandas as pd
            columns = pd.MultiIndex.from_product([['DLC_test'], ['m1', 'm2'], ['nose', 'tail'], ['x', 'y', 'likelihood']], names=['scorer', 'individuals', 'bodyparts', 'coords'])
            values = np.random.default_rng(5).random((20000, 12)) * 640
            values[7, 3:6] = np.nan
            pd.DataFrame(values, columns=columns).to_hdf(sys.argv[1], key='df_with_missing', format='table', mode='w')
            """,
            path);

        PoseData data = PoseFiles.Read(path);
        var (individuals, bodyparts, _, expected) = PoseOracle.Read("dlc-h5", path);

        Assert.Equal(individuals, data.Individuals);
        Assert.Equal(bodyparts, data.Bodyparts);
        Assert.Equal(expected, ReadAll(data));
        Assert.True(float.IsNaN(ReadAll(data)[(7 * 12) + 3]));
    }

    [RequiresFact(Needs.Python)]
    public void Read_DeepLabCutH5OfFloat32Values_EqualsPandas()
    {
        // A DataFrame of float32 stores values_block_0 as float32: the reader's 4-byte branch, over a few chunks.
        using var folder = new TempFolder();
        string path = folder.File("single.h5");
        Python.Run(
            """
            import sys, numpy as np, pandas as pd
            columns = pd.MultiIndex.from_product([['DLC_test'], ['nose', 'tail', 'paw'], ['x', 'y', 'likelihood']], names=['scorer', 'bodyparts', 'coords'])
            values = (np.random.default_rng(6).random((3000, 9)) * 640).astype(np.float32)
            values[11, 0:3] = np.nan
            pd.DataFrame(values, columns=columns).to_hdf(sys.argv[1], key='df_with_missing', format='table', mode='w')
            """,
            path);

        PoseData data = PoseFiles.Read(path);
        var (_, bodyparts, _, expected) = PoseOracle.Read("dlc-h5", path);

        Assert.Equal(bodyparts, data.Bodyparts);
        Assert.Equal(expected, ReadAll(data));
        Assert.True(float.IsNaN(ReadAll(data)[(11 * 9) + 1]));
    }

    internal static float[] ReadAll(PoseData data)
    {
        using var stream = new PoseStream(data, new RegularClock(0, 1, data.FrameCount), "test");
        long[] all = Enumerable.Range(0, data.FrameCount).Select(i => (long)i).ToArray();
        var bytes = new byte[all.Length * data.ValuesPerFrame * sizeof(float)];
        stream.ReadSamples(all, bytes);
        return MemoryMarshal.Cast<byte, float>(bytes).ToArray();
    }
}
