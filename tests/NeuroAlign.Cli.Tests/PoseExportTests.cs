using System.Globalization;
using System.Text;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// Pose on its camera's clock (issue 19): each pose row takes its video frame's time, strobe and
/// dropped frames included, so the frame a pose row encodes is the frame exported beside it.
/// </summary>
public sealed class PoseExportTests
{
    [Slow]
    [RequiresFact(Needs.Ffmpeg | Needs.Python)]
    public void Export_TwoStrobedCamerasWithDroppedFrames_EachPoseRowIsTheFrameBesideIt()
    {
        using var session = new SyncSessionFiles(secondCamera: true);
        string left = session.WriteVideo();
        string body = session.WriteSecondVideo();

        // x encodes the row (the frame): left in a single-animal DeepLabCut CSV (its one animal is
        // individual_0: the file names none), body in a
        // multi-animal one with two individuals; body_pose finds its camera by its name.
        string leftPose = WriteDeepLabCutCsv(session.File("left.csv"), session.Exposures.Length, ["mouse"], ["nose", "tail"], 0.25);
        string bodyPose = WriteDeepLabCutCsv(session.File("body.csv"), session.SecondExposures.Length, ["a", "b"], ["nose"], 10_000.25);
        double[] times = [3.3101, 7.7203, 12.1309];
        string output = session.File("o.h5");

        var (code, stdout, stderr) = CliRunner.Run(
            "--ephys", session.Probe0Path, "--ephys", session.NidqPath,
            "--video", $"left={left}", "--video", $"body={body}",
            "--video-sync", $"left=ephys_1:{SyncSessionFiles.StrobeLine}", "--video-sync", $"body=ephys_1:{SyncSessionFiles.SecondStrobeLine}",
            "--pose", $"mouse={leftPose}", "--pose-video", "mouse=left", "--pose", $"body_pose={bodyPose}",
            "--times", SyncSessionFiles.Join(times), "--after", "0.2", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("mouse: on the clock of left", stdout, StringComparison.Ordinal);
        long[][] leftFrames = [.. times.Select(t => Enumerable.Range(0, 6).Select(j => session.FrameAt(t + (j / 30.0))).ToArray())];
        long[][] bodyFrames = [.. times.Select(t => Enumerable.Range(0, 6).Select(j => session.SecondFrameAt(t + (j / 30.0))).ToArray())];
        string check = Python.Run(
            """
            import sys, json, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            truth = {'left': np.array(json.loads(sys.argv[2])), 'body': np.array(json.loads(sys.argv[3]))}
            for pose, camera, base, individuals, bodyparts in [('mouse', 'left', 0.25, ['individual_0'], ['nose', 'tail']), ('body_pose', 'body', 10000.25, ['a', 'b'], ['nose'])]:
                g, v = f[pose], f[camera]
                assert g.attrs['modality'] == 'pose' and g.attrs['clock_stream'] == camera, dict(g.attrs)
                assert [s.decode() for s in g['individuals'][:]] == individuals
                assert [s.decode() for s in g['bodyparts'][:]] == bodyparts
                data = g['data'][:]
                assert data.dtype == np.float32 and data.shape == (3, 6, len(individuals), len(bodyparts), 3), data.shape
                # The frame exported beside each pose row, and the truth of the strobes.
                assert np.array_equal(g['source_index'][:], v['source_index'][:]), (g['source_index'][:], v['source_index'][:])
                assert np.array_equal(g['source_index'][:], truth[camera]), (pose, g['source_index'][:], truth[camera])
                assert np.array_equal(g['timestamps'][:], v['timestamps'][:])
                # Frame k shows gray level k mod 256: the video beside the pose is that frame too.
                assert np.array_equal(v['data'][:].mean(axis=(2, 3)), truth[camera] % 256)
                for i in range(len(individuals)):
                    for k in range(len(bodyparts)):
                        decoded = data[:, :, i, k, 0] - np.float32(base + 100 * i + 10 * k)
                        assert np.array_equal(decoded, truth[camera].astype(np.float32)), (pose, decoded, truth[camera])
                        assert np.all(data[:, :, i, k, 2] == np.float32(0.5))
            # Each camera on its own clock: 80 ppm fast and 50 ppm slow.
            assert f['sync/left'].attrs['frames_dropped'] == 2 and f['sync/body'].attrs['frames_dropped'] == 1
            assert 'mouse' not in f['sync'] and 'body_pose' not in f['sync']
            print('ok')
            """,
            output,
            System.Text.Json.JsonSerializer.Serialize(leftFrames),
            System.Text.Json.JsonSerializer.Serialize(bodyFrames));
        Assert.Equal("ok", check.Trim());
    }

    [Slow]
    [RequiresFact(Needs.Ffmpeg)]
    public void Export_PoseWithMoreRowsThanFrames_OneLineAndNothingWritten()
    {
        using var session = new SyncSessionFiles();
        string video = session.WriteVideo();
        string pose = WriteDeepLabCutCsv(session.File("pose.csv"), session.Exposures.Length + 1, ["mouse"], ["nose"], 0);
        string output = session.File("o.h5");

        var (code, _, stderr) = CliRunner.Run("--video", video, "--pose", pose, "--time", "1", "--out", output);

        Assert.Equal(1, code);
        Assert.Equal($"neuro-align: error: {pose}: rows: found {session.Exposures.Length + 1} rows, expected at most {session.Exposures.Length}, the frames of video video ({video}): row i is frame i\n", stderr.ReplaceLineEndings("\n"));
        Assert.False(File.Exists(output));
    }

    [Slow]
    [RequiresFact(Needs.Ffmpeg)]
    public void Export_TwoPoseFilesOfOneCameraWithOtherBodyparts_OneLineAndNothingWritten()
    {
        using var session = new SyncSessionFiles();
        string video = session.WriteVideo();
        string first = WriteDeepLabCutCsv(session.File("a.csv"), 10, ["mouse"], ["nose", "tail"], 0);
        string second = WriteDeepLabCutCsv(session.File("b.csv"), 10, ["mouse"], ["nose", "ear"], 0);
        string output = session.File("o.h5");

        var (code, _, stderr) = CliRunner.Run("--video", video, "--pose", first, "--pose", second, "--time", "0.1", "--out", output);

        Assert.Equal(1, code);
        Assert.EndsWith($"neuro-align: error: {second}: bodyparts: found nose, ear, expected nose, tail, as in pose ({first}), another pose file of camera video\n", stderr.ReplaceLineEndings("\n"));
        Assert.False(File.Exists(output));
    }

    [RequiresFact(Needs.Python)]
    public void Export_PoseAloneAtAGivenRate_RowsAtThatRate()
    {
        using var folder = new TempFolder();
        string pose = WriteDeepLabCutCsv(folder.File("p.csv"), 100, ["mouse"], ["nose"], 0.25);
        string output = folder.File("o.h5");

        var (code, _, stderr) = CliRunner.Run("--pose", pose, "--pose-rate", "20", "--times", "1,2.01", "--after", "0.2", "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, h5py, numpy as np
            g = h5py.File(sys.argv[1], 'r')['pose']
            expected = np.array([[20, 21, 22, 23], [40, 41, 42, 43]])
            assert np.array_equal(g['source_index'][:], expected), g['source_index'][:]
            assert np.array_equal(g['data'][:, :, 0, 0, 0], expected.astype(np.float32) + np.float32(0.25))
            print('ok')
            """,
            output);
        Assert.Equal("ok", check.Trim());
    }

    [Theory]
    [InlineData("--pose-rate 30 --pose-timestamps t.txt", "options --pose-timestamps and --pose-rate: give one way to time the rows of pose")]
    [InlineData("--pose-video cam --pose-rate 30", "options --pose-video and --pose-rate: give one way to time the rows of pose")]
    [InlineData("--pose-rate 0", "option --pose-rate: 0 is not")]
    [InlineData("--pose-sync pose=ephys:1", "option --pose-sync: pose takes the sync of its video; give the strobe to the video")]
    [InlineData("--offset pose=0.5", "option --offset: pose takes the clock of its video; place the video instead")]
    public void Export_PoseTimingMistakes_UsageError(string options, string expected)
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("t.txt"), "0\n");
        string[] args = [.. "--pose p.csv".Split(' ').Select(a => a == "p.csv" ? folder.File("p.csv") : a), .. options.Split(' ').Select(a => a == "t.txt" ? folder.File("t.txt") : a), "--time", "1", "--out", folder.File("o.h5")];

        var (code, _, stderr) = CliRunner.Run(args);

        Assert.Equal(2, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [RequiresFact(Needs.SharedData | Needs.Ffmpeg | Needs.Python)]
    public void Export_RealSleapLabelsFileWithItsVideo_RowsAreTheFramesBesideThemAsH5pyReadsTheFile()
    {
        // clip.mp4 (25 fps, 1500 frames, start 0) and the predictions SLEAP made on it: pose takes
        // the video's frame times, so window w at 10.02 s + ... holds frame 250 + n beside pose row 250 + n.
        using var folder = new TempFolder();
        string output = folder.File("o.h5");

        var (code, _, stderr) = CliRunner.Run(
            "--video", $"clip={RepoPaths.Shared("pose", "clip.mp4")}", "--pose", $"clip_pose={RepoPaths.Shared("pose", "clip.predictions.slp")}",
            "--times", "10.02,59.5", "--after", "0.2", "--out", output);

        Assert.True(code == 0, stderr);
        string check = Python.Run(
            """
            import sys, json, h5py, numpy as np
            out = h5py.File(sys.argv[1], 'r')
            idx = out['clip_pose/source_index'][:]
            assert np.array_equal(idx, out['clip/source_index'][:]), (idx, out['clip/source_index'][:])
            assert np.array_equal(idx, np.array([[250, 251, 252, 253, 254], [1487, 1488, 1489, 1490, 1491]])), idx
            assert [s.decode() for s in out['clip_pose/bodyparts'][:]] == ['head', 'thorax']
            assert [s.decode() for s in out['clip_pose/individuals'][:]] == ['female', 'male']
            f = h5py.File(sys.argv[2], 'r')
            meta = json.loads(bytes(f['metadata'].attrs['json']).decode())
            names = [n['name'] for n in meta['nodes']]
            order = [n['id'] for n in meta['skeletons'][0]['nodes']]
            frames, insts, pts = f['frames'][:], f['instances'][:], f['pred_points'][:]
            data = out['clip_pose/data'][:]
            for w in range(idx.shape[0]):
                for n in range(idx.shape[1]):
                    fr = frames[frames['frame_idx'] == idx[w, n]][0]
                    seen = set()
                    for i in range(fr['instance_id_start'], fr['instance_id_end']):
                        p = pts[insts[i]['point_id_start']:insts[i]['point_id_end']]
                        t = insts[i]['track']
                        seen.add(t)
                        expected = np.stack([p['x'], p['y'], p['score']], axis=1).astype(np.float32)
                        expected[~p['visible']] = np.nan
                        assert np.array_equal(data[w, n, t], expected, equal_nan=True), (w, n, t, data[w, n, t], expected)
                    for t in set([0, 1]) - seen:
                        assert np.isnan(data[w, n, t]).all()
            print('ok')
            """,
            output, RepoPaths.Shared("pose", "clip.predictions.slp"));
        Assert.Equal("ok", check.Trim());
    }

    [RequiresFact(Needs.SharedData)]
    public void Info_RealPoseFiles_ShowFramesBodypartsIndividualsAndScoreRange()
    {
        var (code, stdout, stderr) = CliRunner.Run("info", RepoPaths.Shared("pose", "DLC_sample_poses.h5"), RepoPaths.Shared("pose", "predictions.analysis.h5"));

        Assert.True(code == 0, stderr);
        Assert.Contains("pose frames: 1085", stdout, StringComparison.Ordinal);
        Assert.Contains("bodyparts:   2: head, stinger", stdout, StringComparison.Ordinal);
        Assert.Contains("score:       likelihood, 0 to 0.999965", stdout, StringComparison.Ordinal);
        Assert.Contains("individuals:  2: track_0, track_1", stdout, StringComparison.Ordinal);
        Assert.Contains("pose frames:  3000", stdout, StringComparison.Ordinal);
    }

    /// <summary>
    /// A DeepLabCut CSV (4 header rows when the individuals are named, else 3) whose row r holds,
    /// for individual i and bodypart k, x = base + 100 i + 10 k + r, y = r, likelihood 0.5.
    /// </summary>
    internal static string WriteDeepLabCutCsv(string path, int rows, string[] individuals, string[] bodyparts, double xBase)
    {
        bool multi = individuals.Length > 1;
        var columns = (from i in Enumerable.Range(0, individuals.Length) from k in Enumerable.Range(0, bodyparts.Length) from c in new[] { "x", "y", "likelihood" } select (i, k, c)).ToArray();
        var text = new StringBuilder();
        text.Append("scorer").AppendJoin(string.Empty, columns.Select(_ => ",DLC_test")).Append('\n');
        if (multi)
        {
            text.Append("individuals").AppendJoin(string.Empty, columns.Select(c => "," + individuals[c.i])).Append('\n');
        }

        text.Append("bodyparts").AppendJoin(string.Empty, columns.Select(c => "," + bodyparts[c.k])).Append('\n');
        text.Append("coords").AppendJoin(string.Empty, columns.Select(c => "," + c.c)).Append('\n');
        for (int r = 0; r < rows; r++)
        {
            text.Append(r.ToString(CultureInfo.InvariantCulture));
            foreach (var (i, k, c) in columns)
            {
                double value = c switch { "x" => xBase + (100 * i) + (10 * k) + r, "y" => r, _ => 0.5 };
                text.Append(',').Append(value.ToString("R", CultureInfo.InvariantCulture));
            }

            text.Append('\n');
        }

        File.WriteAllText(path, text.ToString());
        return path;
    }
}
