"""Pose for 10 000 windows from a 1-hour 60 fps DeepLabCut .h5: neuro-align against pandas.

    /usr/bin/python3 bench/peers/pose_read.py NEURO_ALIGN [FOLDER] [ROUNDS]

NEURO_ALIGN is the built command (src/NeuroAlign.Cli/bin/Release/net10.0/neuro-align); the
in-process side is bench/NeuroAlign.Benchmarks (Release), `harness pose-window`.

Writes (once) a DeepLabCut-shaped .h5 with pandas/PyTables, as DeepLabCut does
(df.to_hdf(key="df_with_missing", format="table")): 216 000 frames, 12 bodyparts, x/y/likelihood
float64. Then, in the same script and on the same 10 000 window starts (0.5 s windows, 30 rows):
- pandas: pd.read_hdf, to float32 [frames, 1, 12, 3], numpy fancy indexing of every window's rows
  into one [10000, 30, 1, 12, 3] array (what a user's script does to get the windows in memory);
- neuro-align: `export --pose FILE --pose-rate 60 --events TIMES --after 0.5 --compression none`,
  the whole command: it reads the file, samples every window and writes the windows to an HDF5
  file (43 MB), then h5py reads /pose/data back and it is checked equal to the pandas array.
- in-process, the like of the pandas side: `harness pose-window` reads the file with the reader
  the export uses (PoseFiles.Read) and gathers the same windows into one float32 array
  (PoseStream.ReadSamples), best of 5 repetitions after a warm-up, in one .NET process; the sum
  of the array must equal numpy's.
It prints the `read:` line of `neuro-align info` on the file: how the table was read (chunk by
chunk by neuro-align itself, or through PureHDF and why).
Best of 3 runs each, after a first run that warms the page cache; ROUNDS (default 3) alternates
the in-process pair that many times, since a shared machine's load changes from second to second.
"""
import json, os, resource, subprocess, sys, time
import numpy as np, pandas as pd, h5py

exe = sys.argv[1]
folder = sys.argv[2] if len(sys.argv) > 2 else "/tmp/neuroalign-bench-pose"
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
harness = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../NeuroAlign.Benchmarks/bin/Release/net10.0/NeuroAlign.Benchmarks.dll")
os.makedirs(folder, exist_ok=True)
frames, bodyparts, fps, rows = 216_000, 12, 60, 30
path = os.path.join(folder, "hour_60fps_DLC.h5")
if not os.path.exists(path):
    names = [f"bp{k}" for k in range(bodyparts)]
    columns = pd.MultiIndex.from_product([["DLC_bench"], names, ["x", "y", "likelihood"]], names=["scorer", "bodyparts", "coords"])
    rng = np.random.default_rng(19)
    values = rng.random((frames, bodyparts * 3)) * 640
    pd.DataFrame(values, columns=columns).to_hdf(path, key="df_with_missing", format="table", mode="w")

rng = np.random.default_rng(7)
starts = np.sort(rng.integers(0, frames - rows, size=10_000))
times = os.path.join(folder, "times.txt")
np.savetxt(times, starts / fps + 0.25 / fps, fmt="%.9f")  # a quarter frame in: 'previous' picks row `start`
starts_file = os.path.join(folder, "starts.txt")
np.savetxt(starts_file, starts, fmt="%d")


def pandas_windows():
    df = pd.read_hdf(path)
    arr = df.to_numpy(dtype=np.float32).reshape(len(df), 1, bodyparts, 3)
    return arr[starts[:, None] + np.arange(rows)[None, :]]


out = os.path.join(folder, "out.h5")


def neuro_align():
    subprocess.run([exe, "export", "--pose", path, "--pose-rate", str(fps), "--events", times, "--after", "0.5",
                    "--compression", "none", "--out", out], check=True, capture_output=True)


def cpu():
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def best(f, n=3):
    """Best wall time and best CPU time (user + system, this process and its children) of n runs: the machine may be shared."""
    f()
    walls, cpus = [], []
    for _ in range(n):
        t, c = time.perf_counter(), cpu()
        f()
        walls.append(time.perf_counter() - t)
        cpus.append(cpu() - c)
    return min(walls), min(cpus)


def in_process():
    out = subprocess.run(["dotnet", harness, "harness", "pose-window", path, str(fps), str(rows), "5", starts_file],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


print(subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
# How neuro-align reads the table (its own chunk reading, or PureHDF and why), as `info` says.
info = subprocess.run([exe, "info", path], check=True, capture_output=True, text=True).stdout
print("neuro-align info:", next((l.strip() for l in info.splitlines() if l.strip().startswith("read:")), "no read line"))
expected = float(pandas_windows().astype(np.float64).sum())
for r in range(rounds):
    first, second = (("pandas", "ours") if r % 2 == 0 else ("ours", "pandas"))
    figures = {}
    for side in (first, second):
        if side == "pandas":
            figures["pandas"] = best(pandas_windows, 5)
        else:
            ours = in_process()
            assert abs(ours["check"] - expected) <= 1e-9 * abs(expected), f"sums differ: {ours['check']} vs {expected}"
            figures["ours"] = (ours["min_s"], ours["min_cpu_s"])
    (pw, pcpu), (ow, ocpu) = figures["pandas"], figures["ours"]
    print(f"round {r + 1}: pandas read_hdf + indexing {pw:.3f} s wall, {pcpu:.3f} s CPU; "
          f"PoseFiles.Read + ReadSamples {ow:.3f} s wall, {ocpu:.3f} s CPU; ratio (pandas / ours) {pw / ow:.2f} wall, {pcpu / ocpu:.2f} CPU")

(p, pc) = best(pandas_windows)
(n, nc) = best(neuro_align)
with h5py.File(out, "r") as h:
    assert np.array_equal(h["pose/data"][:], pandas_windows()), "neuro-align's windows differ from pandas'"
    assert np.array_equal(h["pose/source_index"][:, 0], starts)
print(f"pandas read_hdf + numpy indexing (windows in memory): {p:.3f} s wall, {pc:.3f} s CPU; pandas {pd.__version__}")
print(f"neuro-align export (read, sample, write 43 MB HDF5): {n:.3f} s wall, {nc:.3f} s CPU; ratio {n / p:.1f} wall, {nc / pc:.1f} CPU")
