"""Pose for 10 000 windows from a 1-hour 60 fps DeepLabCut .h5: neuro-align against pandas.

    /usr/bin/python3 bench/peers/pose_read.py NEURO_ALIGN [FOLDER]

Writes (once) a DeepLabCut-shaped .h5 with pandas/PyTables, as DeepLabCut does
(df.to_hdf(key="df_with_missing", format="table")): 216 000 frames, 12 bodyparts, x/y/likelihood
float64. Then, in the same script and on the same 10 000 window starts (0.5 s windows, 30 rows):
- pandas: pd.read_hdf, to float32 [frames, 1, 12, 3], numpy fancy indexing of every window's rows
  into one [10000, 30, 1, 12, 3] array (what a user's script does to get the windows in memory);
- neuro-align: `export --pose FILE --pose-rate 60 --events TIMES --after 0.5 --compression none`,
  the whole command: it reads the file, samples every window and writes the windows to an HDF5
  file (43 MB), then h5py reads /pose/data back and it is checked equal to the pandas array.
Best of 3 runs each, after a first run that warms the page cache.
"""
import os, resource, subprocess, sys, time
import numpy as np, pandas as pd, h5py

exe = sys.argv[1]
folder = sys.argv[2] if len(sys.argv) > 2 else "/tmp/neuroalign-bench-pose"
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


def best(f):
    """Best wall time and best CPU time (user + system, this process and its children) of 3 runs: the machine may be shared."""
    f()
    walls, cpus = [], []
    for _ in range(3):
        t, c = time.perf_counter(), cpu()
        f()
        walls.append(time.perf_counter() - t)
        cpus.append(cpu() - c)
    return min(walls), min(cpus)


(p, pc) = best(pandas_windows)
(n, nc) = best(neuro_align)
with h5py.File(out, "r") as h:
    assert np.array_equal(h["pose/data"][:], pandas_windows()), "neuro-align's windows differ from pandas'"
    assert np.array_equal(h["pose/source_index"][:, 0], starts)
print(f"pandas read_hdf + numpy indexing (windows in memory): {p:.3f} s wall, {pc:.3f} s CPU; pandas {pd.__version__}")
print(f"neuro-align export (read, sample, write 43 MB HDF5): {n:.3f} s wall, {nc:.3f} s CPU; ratio {n / p:.1f} wall, {nc / pc:.1f} CPU")
