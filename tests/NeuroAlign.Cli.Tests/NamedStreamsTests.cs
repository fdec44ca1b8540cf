using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// Several streams of one modality, named by the user (issue 16): two cameras, each strobed on its
/// own NIDQ line, in one export; each group is its name, carries its modality, and is synced.
/// </summary>
public sealed class NamedStreamsTests
{
    [Slow]
    [RequiresFact(Needs.Ffmpeg | Needs.Python)]
    public void Export_TwoCamerasEachWithItsStrobe_BothGroupsSyncedToTheirOwnFrames()
    {
        using var session = new SyncSessionFiles(secondCamera: true);
        string left = session.WriteVideo();
        string body = session.WriteSecondVideo();
        double[] times = [3.3101, 7.7203, 12.1309];
        string output = session.File("o.h5");

        var (code, stdout, stderr) = CliRunner.Run(
            "--ephys", session.Probe0Path, "--ephys", session.NidqPath,
            "--video", $"left={left}", "--video", $"body={body}",
            "--video-sync", $"left=ephys_1:{SyncSessionFiles.StrobeLine}", "--video-sync", $"body=ephys_1:{SyncSessionFiles.SecondStrobeLine}",
            "--rate", "body=60", "--video-size", "body=8x6",
            "--times", SyncSessionFiles.Join(times), "--after", "0.2", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("sync left: strobe", stdout, StringComparison.Ordinal);
        Assert.Contains("sync body: strobe", stdout, StringComparison.Ordinal);
        long[][] leftFrames = [.. times.Select(t => Enumerable.Range(0, 6).Select(j => session.FrameAt(t + (j / 30.0))).ToArray())];
        long[][] bodyFrames = [.. times.Select(t => Enumerable.Range(0, 12).Select(j => session.SecondFrameAt(t + (j / 60.0))).ToArray())];
        string check = Python.Run(
            """
            import sys, json, h5py, numpy as np
            f = h5py.File(sys.argv[1], 'r')
            left, body = np.array(json.loads(sys.argv[2])), np.array(json.loads(sys.argv[3]))
            assert f.attrs['schema_version'] == 2
            assert 'video' not in f, list(f)
            for name, frames, dropped, shape in [('left', left, 2, (16, 12)), ('body', body, 1, (8, 6))]:
                g = f[name]
                assert g.attrs['modality'] == 'video', dict(g.attrs)
                assert g['data'].shape == (3, frames.shape[1], shape[1], shape[0]), g['data'].shape
                assert np.array_equal(g['source_index'][:], frames), (name, g['source_index'][:], frames)
                s = f['sync/' + name].attrs
                assert s['method'] == 'strobe' and s['frames_dropped'] == dropped and s['reference_stream'] == 'ephys', (name, dict(s))
            for name in ['ephys', 'ephys_1']:
                assert f[name].attrs['modality'] == 'ephys'
            # Frame k shows gray level k mod 256 (left at its stored size; body scaled, so only the mean is kept).
            assert np.array_equal(f['left/data'][:].mean(axis=(2, 3)), left % 256)
            # Each camera's own clock: 80 ppm fast and 50 ppm slow, both against the reference.
            assert abs(f['sync/left'].attrs['drift_ppm'] - (1 / (1 + 80e-6) - 1) * 1e6) < 3
            assert abs(f['sync/body'].attrs['drift_ppm'] - (1 / (1 - 50e-6) - 1) * 1e6) < 3
            print('ok')
            """,
            output,
            System.Text.Json.JsonSerializer.Serialize(leftFrames),
            System.Text.Json.JsonSerializer.Serialize(bodyFrames));
        Assert.Equal("ok", check.Trim());
    }

    [Theory]
    [InlineData("--video-sync ephys_1:1", "option --video-sync: 2 video streams are loaded (left, body); name the one 'ephys_1:1' is for, e.g. left=ephys_1:1")]
    [InlineData("--video-sync right=ephys_1:1", "option --video-sync: no stream or modality 'right' is loaded (loaded: ephys, ephys_1, left, body)")]
    [InlineData("--video-sync left=ephys_7:1", "option --video-sync ephys_7:1: no ephys stream 'ephys_7' is loaded (loaded: ephys, ephys_1)")]
    [InlineData("--rate cam=30", "option --rate: no stream or modality 'cam' is loaded (loaded: ephys, ephys_1, left, body)")]
    [InlineData("--video-color cam=rgb", "option --video-color: no stream or modality 'cam' is loaded (loaded: ephys, ephys_1, left, body)")]
    [InlineData("--video-size cam=8x6", "option --video-size: no stream or modality 'cam' is loaded (loaded: ephys, ephys_1, left, body)")]
    public void Export_NamedStreamMistakes_OneLineUsageErrorBeforeAnyFileIsRead(string options, string expected)
    {
        using var folder = new TempFolder();
        string[] args =
        [
            "--ephys", folder.File("a.bin"), "--ephys", folder.File("n.bin"), "--video", $"left={folder.File("l.avi")}", "--video", $"body={folder.File("b.avi")}",
            .. options.Split(' '), "--time", "1", "--out", folder.File("o.h5"),
        ];

        var (code, _, stderr) = CliRunner.Run(args);

        Assert.Equal(2, code);
        Assert.Equal($"neuro-align: error: {expected}\n", stderr.ReplaceLineEndings("\n"));
        Assert.Empty(folder.FileNames());
    }

    [Theory]
    [InlineData("left=a.avi", "left=b.avi", "option --video: two streams are named left")]
    [InlineData("sync=a.avi", null, "option --video: 'sync' is a group of the output's own (windows, sync); choose another stream name")]
    public void Export_BadStreamNames_Refused(string first, string? second, string expected)
    {
        using var folder = new TempFolder();
        string[] videos = second is null ? ["--video", first] : ["--video", first, "--video", second];

        var (code, _, stderr) = CliRunner.Run([.. videos, "--time", "1", "--out", folder.File("o.h5")]);

        Assert.Equal(2, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }
}
