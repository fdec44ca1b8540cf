using System.Globalization;
using NeuroAlign.TestData;

namespace NeuroAlign.Cli.Tests;

/// <summary>
/// Issue 8's check as a user would run it: 1 000 one-second windows of 384-channel ephys plus
/// video plus fMRI in one export, read back with h5py; every source_index and value checked against
/// numpy (the raw file), ffprobe/ffmpeg (the video's frame times and pixels) and nibabel (the run).
/// </summary>
public class ExportThousandWindowsTests
{
    private const int Windows = 1000;

    /// <summary>
    /// Windows at w + 0.01337 s: non-overlapping, and the grid falls between samples (at .37 of a
    /// millisecond), so a time → sample rounding error would show.
    /// </summary>
    private static double Onset(int w) => w + 0.01337;

    private const string Oracle = """
import json, subprocess, sys
import h5py, nibabel as nib, numpy as np
out, ephys_path, video, bold, windows = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
onsets = np.arange(windows) + 0.01337
f = h5py.File(out, "r")
facts = {}
assert np.allclose(f["windows/time"][:], onsets, atol=1e-12, rtol=0)

# ephys: raw int16, 384 channels at 1 kHz; grid t + k / 1000, sample at or before each time
e = np.memmap(ephys_path, np.int16, "r").reshape(-1, 384)
d = f["ephys/data"]
facts["ephys_shape"] = list(d.shape)
facts["ephys_gzip"] = d.compression == "gzip" and d.shuffle
ts = onsets[:, None] + np.arange(1000) / 1000.0
assert np.allclose(f["ephys/timestamps"][:], ts, atol=1e-9, rtol=0)
si = f["ephys/source_index"][:]
facts["ephys_index_ok"] = bool(np.array_equal(si, np.floor(ts * 1000 + 1e-6).astype(np.int64)))
facts["ephys_data_ok"] = all(np.array_equal(d[w:w + 100], e[si[w:w + 100]]) for w in range(0, windows, 100))

# video: frame times from ffprobe; frame at or before each grid time; pixels from a full ffmpeg decode
pts = np.sort(np.array(subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
    "packet=pts_time", "-of", "csv=p=0", video], check=True, capture_output=True, text=True).stdout.split(), float))
v = f["video/data"]
facts["video_shape"] = list(v.shape)
vt = f["video/timestamps"][:]
vi = f["video/source_index"][:]
expected = np.searchsorted(pts, vt + 1e-9, side="right") - 1
facts["video_index_ok"] = bool(np.array_equal(vi, expected))
h, w_ = v.shape[2], v.shape[3]
frames = np.frombuffer(subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-i", video, "-f", "rawvideo", "-pix_fmt", "gray", "-"],
    check=True, capture_output=True).stdout, np.uint8).reshape(-1, h, w_)
facts["video_frames"] = int(frames.shape[0])
facts["video_data_ok"] = bool(np.array_equal(v[:], frames[vi]))

# fMRI: volume k acquired at k * TR (2 s); the volume at or before each grid time
img = nib.load(bold)
vol = np.asarray(img.dataobj, dtype=np.float32)
m = f["fmri/data"]
facts["fmri_shape"] = list(m.shape)
mt = f["fmri/timestamps"][:]
mi = f["fmri/source_index"][:]
facts["fmri_index_ok"] = bool(np.array_equal(mi, np.floor(mt / 2.0 + 1e-9).astype(np.int64)))
facts["fmri_data_ok"] = bool(np.array_equal(m[:], np.moveaxis(vol, -1, 0)[mi]))
facts["inside"] = bool((si >= 0).all() and (vi >= 0).all() and (mi >= 0).all())
print(json.dumps(facts))
""";

    [Slow]
    [RequiresFact(Needs.Ffmpeg | Needs.Python)]
    public void Export_ThousandWindowsOfThreeModalities_EverySourceIndexMatchesTheOracles()
    {
        using var folder = new TempFolder();

        // 1 001 s of everything: ephys at 1 kHz (769 MB), a 64x48 30 fps video, a 501-volume run.
        string ephys = folder.File("probe.dat");
        SyntheticEphys.WriteInt16(ephys, 1_001_000, 384);
        string video = folder.File("behaviour.mp4");
        Ffmpeg.Run("-f", "lavfi", "-i", "testsrc=size=64x48:rate=30", "-t", "1001", "-c:v", "libx264", "-preset", "ultrafast", "-g", "60", "-pix_fmt", "yuv420p", video);
        string bold = folder.File("sub-01_task-rest_bold.nii.gz");
        Python.Run(
            """
            import json, sys
            import nibabel as nib, numpy as np
            data = np.random.default_rng(5).integers(0, 1000, size=(8, 8, 4, 501)).astype(np.int16)
            img = nib.Nifti1Image(data, np.eye(4))
            img.header.set_xyzt_units("mm", "sec")
            img.header["pixdim"][4] = 2.0
            nib.save(img, sys.argv[1])
            json.dump({"RepetitionTime": 2.0}, open(sys.argv[1].replace(".nii.gz", ".json"), "w"))
            """,
            bold);
        string events = folder.File("onsets.txt");
        File.WriteAllLines(events, Enumerable.Range(0, Windows).Select(w => Onset(w).ToString("R", CultureInfo.InvariantCulture)));
        string output = folder.File("aligned.h5");

        var (code, stdout, stderr) = CliRunner.Run(
            "--ephys", ephys, "--ephys-rate", "1000", "--video", video, "--fmri", bold, "--fmri-cache", folder.File("cache"),
            "--events", events, "--after", "1", "--out", output);

        Assert.True(code == 0, stderr);
        Assert.Contains("1000 window(s)", stdout);
        string facts = Python.Run(Oracle, output, ephys, video, bold, Windows.ToString(CultureInfo.InvariantCulture));
        Assert.Contains("\"ephys_shape\": [1000, 1000, 384]", facts);
        Assert.Contains("\"ephys_gzip\": true", facts);
        Assert.Contains("\"video_shape\": [1000, 30, 48, 64]", facts);
        Assert.Contains("\"video_frames\": 30030", facts);
        Assert.Contains("\"fmri_shape\": [1000, 1, 8, 8, 4]", facts);
        foreach (string check in new[] { "ephys_index_ok", "ephys_data_ok", "video_index_ok", "video_data_ok", "fmri_index_ok", "fmri_data_ok", "inside" })
        {
            Assert.True(facts.Contains($"\"{check}\": true", StringComparison.Ordinal), $"{check} failed: {facts}");
        }
    }
}
