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
    [InlineData("clip.predictions.slp", "sleap-slp")]
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
    public void Read_SleapLabelsFile_HasTheFactsOfSources()
    {
        // SOURCES.md: 1500 frames, tracks female and male, 2 nodes, 2948 instances (male missing in
        // 52 frames), 5896 predicted points of which 142 NaN.
        PoseData data = PoseFiles.Read(RepoPaths.Shared("pose", "clip.predictions.slp"));
        float[] all = ReadAll(data);

        Assert.Equal(1500, data.FrameCount);
        Assert.Equal(["female", "male"], data.Individuals);
        Assert.Equal(["head", "thorax"], data.Bodyparts); // the skeleton's order: its node ids are [1, 0] into [thorax, head]
        int maleMissing = Enumerable.Range(0, 1500).Count(f => Enumerable.Range(0, 6).All(v => float.IsNaN(all[(f * 12) + 6 + v])));
        Assert.Equal(52, maleMissing);
        int nanPoints = Enumerable.Range(0, all.Length / 3).Count(p => float.IsNaN(all[p * 3]));
        Assert.Equal(142 + (52 * 2), nanPoints);
    }

    [RequiresFact(Needs.Python)]
    public void Read_SyntheticSleapLabels_UserLabelsOverPredictionsUntrackedAndInvisible_EqualsH5py()
    {
        // A labels file written with h5py as SLEAP lays it out (format 1.0, so the half-pixel shift
        // applies), with a user label correcting a prediction, an untracked instance, an invisible
        // point, a frame gap, and skeleton nodes in an order other than the file's node list.
        using var folder = new TempFolder();
        string path = folder.File("synthetic.slp");
        Python.Run(
            """
            import sys, json, numpy as np, h5py
            meta = {'version': '2.0.0', 'nodes': [{'name': 'tail', 'weight': 1.0}, {'name': 'nose', 'weight': 1.0}, {'name': 'ear', 'weight': 1.0}],
                    'skeletons': [{'directed': True, 'graph': {'name': 's'}, 'links': [], 'multigraph': True, 'nodes': [{'id': 1}, {'id': 2}, {'id': 0}]}],
                    'videos': [], 'tracks': [], 'suggestions': [], 'negative_anchors': {}, 'provenance': {}}
            fr = np.dtype([('frame_id', '<u8'), ('video', '<u4'), ('frame_idx', '<u8'), ('instance_id_start', '<u8'), ('instance_id_end', '<u8')])
            it = np.dtype([('instance_id', '<i8'), ('instance_type', 'u1'), ('frame_id', '<u8'), ('skeleton', '<u4'), ('track', '<i4'), ('from_predicted', '<i8'), ('score', '<f4'), ('point_id_start', '<u8'), ('point_id_end', '<u8'), ('tracking_score', '<f4')])
            pt = np.dtype([('x', '<f8'), ('y', '<f8'), ('visible', '?'), ('complete', '?')])
            pp = np.dtype([('x', '<f8'), ('y', '<f8'), ('visible', '?'), ('complete', '?'), ('score', '<f8')])
            frames = np.array([(0, 0, 0, 0, 2), (1, 0, 3, 2, 5)], dtype=fr)
            insts = np.array([(0, 1, 0, 0, 0, -1, 0.9, 0, 3, 1.0), (1, 1, 0, 0, 1, -1, 0.8, 3, 6, 1.0),
                              (2, 1, 1, 0, 0, -1, 0.7, 6, 9, 1.0), (3, 0, 1, 0, 0, 2, 0.0, 0, 3, 0.0), (4, 1, 1, 0, -1, -1, 0.5, 9, 12, 1.0)], dtype=it)
            rng = np.random.default_rng(3)
            pred = np.array([(rng.random() * 500, rng.random() * 500, True, True, rng.random()) for _ in range(12)], dtype=pp)
            pred['visible'][4] = False
            user = np.array([(10.25 * (k + 1), 20.5 * (k + 1), True, True) for k in range(3)], dtype=pt)
            with h5py.File(sys.argv[1], 'w') as f:
                m = f.create_group('metadata')
                m.attrs['format_id'] = 1.0
                m.attrs['json'] = np.bytes_(json.dumps(meta))
                f['frames'] = frames; f['instances'] = insts; f['points'] = user; f['pred_points'] = pred
                f['tracks_json'] = np.array([b'[0, "a"]', b'[0, "b"]'])
                f['videos_json'] = np.array([json.dumps({'backend': {'filename': 'cam.mp4'}}).encode()])
            """,
            path);

        PoseData data = PoseFiles.Read(path);
        var (individuals, bodyparts, _, expected) = PoseOracle.Read("sleap-slp", path);
        float[] actual = ReadAll(data);

        Assert.Equal(["a", "b", "untracked"], data.Individuals);
        Assert.Equal(individuals, data.Individuals);
        Assert.Equal(["nose", "ear", "tail"], data.Bodyparts);
        Assert.Equal(bodyparts, data.Bodyparts);
        Assert.Equal(4, data.FrameCount);
        Assert.Equal(expected, actual);
        Assert.Equal(10.25f - 0.5f, actual[(3 * 27) + 0]); // frame 3, track a: the user's label, shifted half a pixel
        Assert.True(float.IsNaN(actual[(3 * 27) + 2])); // a user label has no score
        Assert.True(float.IsNaN(actual[(0 * 27) + 9 + 3])); // frame 0, track b, node 1: not visible
        Assert.True(actual.AsSpan(27, 2 * 27).ToArray().All(float.IsNaN)); // frames 1 and 2: no instance
    }

    [RequiresFact(Needs.Python)]
    public void Read_SleapLabelsWithTwoVideos_RefusedInOneLine()
    {
        using var folder = new TempFolder();
        string path = folder.File("two.slp");
        Python.Run(
            """
            import sys, json, numpy as np, h5py
            meta = {'nodes': [{'name': 'nose'}], 'skeletons': [{'nodes': [{'id': 0}]}]}
            fr = np.dtype([('frame_id', '<u8'), ('video', '<u4'), ('frame_idx', '<u8'), ('instance_id_start', '<u8'), ('instance_id_end', '<u8')])
            it = np.dtype([('instance_id', '<i8'), ('instance_type', 'u1'), ('frame_id', '<u8'), ('skeleton', '<u4'), ('track', '<i4'), ('point_id_start', '<u8'), ('point_id_end', '<u8')])
            with h5py.File(sys.argv[1], 'w') as f:
                f.create_group('metadata').attrs['json'] = np.bytes_(json.dumps(meta))
                f['frames'] = np.zeros(0, dtype=fr); f['instances'] = np.zeros(0, dtype=it)
                f['videos_json'] = np.array([b'{"backend": {"filename": "a.mp4"}}', b'{"backend": {"filename": "b.mp4"}}'])
            """,
            path);

        var error = Assert.Throws<InvalidRecordingException>(() => PoseFiles.Read(path));

        Assert.Contains("2 videos", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
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

    [RequiresTheory(Needs.Python)]
    [InlineData("none", "25 chunks of 819 rows (not compressed) read one by one into one buffer")]
    [InlineData("zlib", "25 chunks of 819 rows (shuffle + zlib) read one by one into one buffer")]
    [InlineData("zlib-no-shuffle", "25 chunks of 819 rows (zlib) read one by one into one buffer")]
    [InlineData("fletcher32", "through PureHDF (filters Fletcher32 (3): not none, deflate, or shuffle + deflate)")]
    [InlineData("bzip2", "through PureHDF (filters shuffle (2), bzip2 (307): not none, deflate, or shuffle + deflate)")]
    public void Read_DeepLabCutH5AsPandasStoresIt_EqualsPandas_ReadChunkByChunkUnlessAFilterItDoesNotKnow(string complib, string read)
    {
        // 20 000 rows of 9 float64 in PyTables' chunks of 819 records: pandas' default (no filter),
        // complib='zlib' (shuffle + deflate), deflate alone (the table copied by PyTables without
        // shuffle); Fletcher32 checksums alone (copied so) and bzip2, which the chunk reading leaves to PureHDF.
        using var folder = new TempFolder();
        string path = folder.File("compressed.h5");
        Python.Run(
            """
            import sys, numpy as np, pandas as pd, tables
            path, complib = sys.argv[1], sys.argv[2]
            columns = pd.MultiIndex.from_product([['DLC_test'], ['nose', 'tail', 'paw'], ['x', 'y', 'likelihood']], names=['scorer', 'bodyparts', 'coords'])
            values = np.random.default_rng(8).random((20000, 9)) * 640
            values[4000:4100, 3:6] = np.nan
            options = {} if complib in ('none', 'fletcher32') else dict(complevel=5, complib=complib.split('-')[0])
            pd.DataFrame(values, columns=columns).to_hdf(path, key='df_with_missing', format='table', mode='w', **options)
            if complib in ('zlib-no-shuffle', 'fletcher32'):
                filters = tables.Filters(complevel=5, complib='zlib', shuffle=False) if complib == 'zlib-no-shuffle' else tables.Filters(fletcher32=True)
                with tables.open_file(path, 'a') as f:
                    group = f.root.df_with_missing
                    group.table.copy(group, 'plain', filters=filters)
                    group.table.remove()
                    group.plain.move(group, 'table')
            """,
            path,
            complib);

        Exception? refused = Record.Exception(() => PoseFiles.Read(path));
        if (read.StartsWith("through PureHDF", StringComparison.Ordinal) && refused is InvalidRecordingException)
        {
            // A filter PureHDF does not have either (bzip2): one line, as before this reading existed, saying why.
            Assert.DoesNotContain('\n', refused.Message);
            Assert.EndsWith($"expected readable rows (read {read})", refused.Message, StringComparison.Ordinal);
            return;
        }

        Assert.Null(refused);
        PoseData data = PoseFiles.Read(path);
        var (_, bodyparts, _, expected) = PoseOracle.Read("dlc-h5", path);

        Assert.Equal(read, data.Details().Single(d => d.Key == "read").Value);
        Assert.Equal(bodyparts, data.Bodyparts);
        Assert.Equal(expected, ReadAll(data));
        Assert.True(float.IsNaN(ReadAll(data)[(4050 * 9) + 4]));
    }

    [RequiresFact(Needs.Python)]
    public void Read_DeepLabCutH5WithARowCountItsFileCannotHold_RefusedBeforeAllocating()
    {
        // The table's dataspace says 200 000 000 rows (7.2 GB of float32 values) in a file of about
        // a megabyte: the row count is checked against what the file can store before the values'
        // array is allocated, not found short chunk by chunk after it.
        using var folder = new TempFolder();
        string path = folder.File("rows.h5");
        Python.Run(
            """
            import sys, numpy as np, pandas as pd
            columns = pd.MultiIndex.from_product([['DLC_test'], ['nose', 'tail', 'paw'], ['x', 'y', 'likelihood']], names=['scorer', 'bodyparts', 'coords'])
            pd.DataFrame(np.random.default_rng(9).random((12345, 9)), columns=columns).to_hdf(sys.argv[1], key='df_with_missing', format='table', mode='w')
            """,
            path);
        byte[] bytes = File.ReadAllBytes(path);

        // The table's dataspace: its one dimension (12 345) followed by an unlimited maximum.
        byte[] dataspace = [.. BitConverter.GetBytes(12345UL), .. BitConverter.GetBytes(ulong.MaxValue)];
        int at = bytes.AsSpan().IndexOf(dataspace);
        Assert.True(at >= 0 && bytes.AsSpan(at + 1).IndexOf(dataspace) < 0, "one dataspace of 12 345 unlimited rows");
        BitConverter.TryWriteBytes(bytes.AsSpan(at, 8), 200_000_000UL);
        File.WriteAllBytes(path, bytes);

        long before = GC.GetTotalAllocatedBytes(precise: true);
        var error = Assert.Throws<InvalidRecordingException>(() => PoseFiles.Read(path));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.True(allocated < 64L << 20, $"{allocated} bytes allocated before the refusal");
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("200000000 rows", error.Message, StringComparison.Ordinal);
    }

    [RequiresFact(Needs.Python)]
    public void Read_SleapAnalysisH5WithAFrameCountItsFileCannotHold_RefusedBeforeAllocating()
    {
        // /tracks (1, 2, 3, 1000) gzipped, its dataspace patched to 100 000 000 frames (4.8 GB of
        // float64 coordinates) in a file of kilobytes.
        using var folder = new TempFolder();
        string path = folder.File("frames.analysis.h5");
        Python.Run(
            """
            import sys, numpy as np, h5py
            with h5py.File(sys.argv[1], 'w') as f:
                f.create_dataset('tracks', data=np.random.default_rng(10).random((1, 2, 3, 1000)), compression='gzip', chunks=(1, 2, 3, 100), maxshape=(1, 2, 3, None))
                f.create_dataset('node_names', data=np.array([b'nose', b'head', b'tail']))
            """,
            path);
        byte[] bytes = File.ReadAllBytes(path);
        byte[] dataspace = [.. BitConverter.GetBytes(1UL), .. BitConverter.GetBytes(2UL), .. BitConverter.GetBytes(3UL), .. BitConverter.GetBytes(1000UL)];
        int at = bytes.AsSpan().IndexOf(dataspace);
        Assert.True(at >= 0 && bytes.AsSpan(at + 1).IndexOf(dataspace) < 0, "one dataspace (1, 2, 3, 1000)");
        BitConverter.TryWriteBytes(bytes.AsSpan(at + 24, 8), 100_000_000UL);
        File.WriteAllBytes(path, bytes);

        long before = GC.GetTotalAllocatedBytes(precise: true);
        var error = Assert.Throws<InvalidRecordingException>(() => PoseFiles.Read(path));
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.True(allocated < 64L << 20, $"{allocated} bytes allocated before the refusal");
        Assert.DoesNotContain('\n', error.Message);
        Assert.Contains("/tracks", error.Message, StringComparison.Ordinal);
        Assert.Contains("100000000 frames", error.Message, StringComparison.Ordinal);
    }

    [RequiresFact(Needs.SharedData)]
    public void Read_RealDeepLabCutH5_IsReadChunkByChunk()
    {
        PoseData data = PoseFiles.Read(RepoPaths.Shared("pose", "DLC_sample_poses.h5"));

        // PyTables' own chunking of this file: one chunk of 1170 records holds its 1085 rows.
        Assert.Equal("1 chunk of 1170 rows (not compressed) read one by one into one buffer", data.Details().Single(d => d.Key == "read").Value);
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
