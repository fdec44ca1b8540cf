"""NeuroAlign side by side with the way users do the same work today, on the same files, in one run.

    /usr/bin/python3 bench/peers/compare.py [--rounds N] [--only TASK,TASK] [--no-build] [--export-dir DIR]

Tasks: window, channel, clock, filter, nifti, video-index, video-window, export, export-none (the
uncompressed export alone).
For each task and each round, NeuroAlign's side and the peer's side run one after the other (the
order flips every round, so a change in machine load hurts both alike); each side times its own
repetitions after a warm-up and reports the median. NeuroAlign's side is
`NeuroAlign.Benchmarks.dll harness TASK ...` (bench/NeuroAlign.Benchmarks/Peers/PeerHarness.cs)
or, for exports, the `neuro-align` command itself; the peer's side is numpy / nibabel in this
process, ffprobe / ffmpeg, or, for exports, an h5py script in a Python process of its own (both
export sides pay their start-up). Every pair also checks that both sides computed the same
result (a checksum, or the exported data). The ratio is peer time / NeuroAlign time: above 1,
NeuroAlign is faster. Inputs are made once in $NEUROALIGN_BENCH_DIR (default
/tmp/neuroalign-bench) by `harness files` and kept in the page cache before timing.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import h5py
import nibabel as nib
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HARNESS = os.path.join(ROOT, "bench/NeuroAlign.Benchmarks/bin/Release/net10.0/NeuroAlign.Benchmarks.dll")
CLI = os.path.join(ROOT, "src/NeuroAlign.Cli/bin/Release/net10.0/neuro-align.dll")
CH, N = 384, 30_000
GAIN = np.where(np.arange(CH) % 2 == 0, 2.34375, 0.195)


def build():
    for project in ("bench/NeuroAlign.Benchmarks", "src/NeuroAlign.Cli"):
        subprocess.run(["dotnet", "build", os.path.join(ROOT, project), "-c", "Release", "-v", "quiet", "--nologo"],
                       check=True, stdout=subprocess.DEVNULL)


def harness(*args):
    out = subprocess.run(["dotnet", HARNESS, "harness", *map(str, args)], check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def timed(fn, reps, warmup=2):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def pair(flip, ours, peer):
    """Runs both sides, NeuroAlign's first unless flip; returns (ours, peer)."""
    if flip:
        p = peer()
        return ours(), p
    o = ours()
    return o, peer()


def warm(path):
    """Reads the file once (page cache) and returns the read speed in GB/s of a second pass."""
    buf = bytearray(16 << 20)
    speeds = []
    for _ in range(2):
        t = time.perf_counter()
        with open(path, "rb", buffering=0) as f:
            while f.readinto(buf):
                pass
        speeds.append(os.path.getsize(path) / (time.perf_counter() - t) / 1e9)
    return speeds[-1]


# ---- the tasks: each returns (ours_seconds, peer_seconds, ours_check, peer_check, note) ----

def task_window(files, flip):
    path = files["ephys_180s"]
    mm = np.memmap(path, dtype=np.int16, mode="r").reshape(-1, CH)
    starts = [int(s) for s in np.random.default_rng(2).integers(0, mm.shape[0] - N, size=64)]
    it = iter(range(10**9))
    ours, peer = pair(flip, lambda: harness("window-read", path, 200, ",".join(map(str, starts))),
                      lambda: timed(lambda: np.array(mm[(s := starts[next(it) % 64]):s + N]), 200))
    return ours["median_s"], peer, ours["check"], int(mm[starts[0]:starts[0] + N].sum(dtype=np.int64)), \
        "1 s x 384-ch int16 window (23 MB) copied out of a 4.1 GB mapped file; numpy: np.array(memmap[s:s+30000])"


def task_channel(files, flip):
    path = files["ephys_180s"]
    mm = np.memmap(path, dtype=np.int16, mode="r").reshape(-1, CH)
    ours, peer = pair(flip, lambda: harness("channel", path, 100, 5), lambda: timed(lambda: np.array(mm[:, 100]), 5))
    return ours["median_s"], peer, ours["check"], int(np.array(mm[:, 100]).sum(dtype=np.int64)), \
        "channel 100 of a 4.1 GB, 384-ch int16 file (5.4 M samples, strided); numpy: np.array(memmap[:, 100])"


def task_clock(files, flip):
    out = []
    q = (np.arange(1_000_000) * 0.6180339887498949 % 1.0) * 3599.0
    for kind in ("regular", "explicit"):
        if kind == "regular":
            # index at or before t, with the 1e-9 s tolerance, clipped to the recording
            fn = lambda: np.clip(np.floor((q + 1e-9) * 30000), 0, 30000 * 3600 - 1).astype(np.int64)
        else:
            k = np.arange(216_000)
            ts = k / 60.0 + 0.002 * np.sin(k)
            fn = lambda: np.searchsorted(ts, q + 1e-9, side="right") - 1
        ours, peer = pair(flip, lambda: harness("clock", kind, 1_000_000, 5), lambda: timed(fn, 5))
        out.append((ours["median_s"], peer, ours["check"], int(fn().sum()),
                    f"1 M time -> index queries, {kind} clock (" +
                    ("1 h at 30 kHz; numpy: floor((t + 1e-9) * fs)" if kind == "regular" else
                     "1 h of 60 fps frame times with jitter; numpy: searchsorted") + ")", kind))
    return out


def task_filter(files, flip):
    path = files["ephys_180s"]
    mm = np.memmap(path, dtype=np.int16, mode="r").reshape(-1, CH)
    starts = [int(s) for s in np.random.default_rng(2).integers(0, mm.shape[0] - N, size=64)]
    it = iter(range(10**9))
    ours, peer = pair(flip, lambda: harness("filter", path, 100, ",".join(map(str, starts))),
                      lambda: timed(lambda: (mm[(s := starts[next(it) % 64]):s + N] * GAIN) > 0.8, 100))
    check = int(((mm[starts[0]:starts[0] + N] * GAIN) > 0.8).sum())
    return ours["median_s"], peer, ours["check"], check, \
        "signal > 0.8 with per-channel gains, 1 s x 384-ch int16 window; numpy: (memmap[s:s+30000] * gain) > 0.8"


def task_nifti(files, flip):
    out = []
    cache = os.path.join(os.path.dirname(files["nii"]), "cache")
    rows = (("nii", "nii", 50, False), ("nii", "nii C order", 50, True), ("nii_gz", "nii.gz", 5, False))
    for key, label, reps, c_order in rows:
        path = files[key]
        img = nib.load(path)
        vols = [int(v) for v in np.random.default_rng(4).integers(0, img.shape[3], size=64)]
        img = nib.load(path)
        it = iter(range(10**9))
        # nibabel's volume is a Fortran-ordered view; NeuroAlign's is C-ordered [X, Y, Z] (h5py's layout)
        peer_read = (lambda k: np.ascontiguousarray(img.dataobj[..., k], dtype=np.float32)) if c_order else \
            (lambda k: np.asarray(img.dataobj[..., k], dtype=np.float32))
        ours, peer = pair(flip, lambda: harness("nifti", path, cache, 50, ",".join(map(str, vols))),
                          lambda: timed(lambda: peer_read(vols[next(it) % 64]), reps, warmup=1))
        check = float(peer_read(vols[0]).sum(dtype=np.float64))
        out.append((ours["median_s"], peer, ours["check"], check,
                    f"random volume of a 96x96x48x300 int16 run as float32, {os.path.basename(path)}; nibabel: "
                    + ("np.ascontiguousarray(dataobj[..., k]) (C order, as NeuroAlign)" if c_order else "dataobj[..., k] (a Fortran-order array)")
                    + (" (NeuroAlign after its one-time pass to a cache)" if key == "nii_gz" else ""), label))
    return out


def task_video_index(files, flip):
    path = files["video_hour"]
    cmd = ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0", path]
    ours, peer = pair(flip, lambda: harness("video-index", path, 3),
                      lambda: timed(lambda: subprocess.run(cmd, check=True, capture_output=True), 3, warmup=0))
    count = len(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.split())
    return ours["median_s"], peer, ours["check"], count, \
        "every frame time of a 1 h 60 fps H.264 video (216 000 frames); ffprobe -show_entries packet=pts_time"


def task_video_window(files, flip):
    path = files["video_minute"]
    cache = os.path.join(os.path.dirname(path), "video-index")
    starts = [int(s) for s in np.random.default_rng(7).integers(0, 3600 - 60, size=8)]

    def ffmpeg(start):
        # frame k of this constant 60 fps file is shown at k/60 s: seek there and decode 60 frames
        return subprocess.run(["ffmpeg", "-v", "error", "-nostdin", "-ss", f"{start / 60:.6f}", "-i", path, "-frames:v", "60",
                               "-f", "rawvideo", "-pix_fmt", "gray", "-"], check=True, capture_output=True).stdout
    it = iter(range(10**9))
    ours, peer = pair(flip, lambda: harness("video-window", path, cache, 8, ",".join(map(str, starts))),
                      lambda: timed(lambda: ffmpeg(starts[next(it) % 8]), 8, warmup=0))
    check = int(np.frombuffer(ffmpeg(starts[0]), np.uint8).sum(dtype=np.int64))
    return ours["median_s"], peer, ours["check"], check, \
        "60 consecutive gray frames from a random frame of a 1 min 640x480 60 fps H.264 video; ffmpeg -ss T -frames:v 60 per window"


def h5py_export(path, out, level):
    """What a user writes: memmap, one chunk per window, the same datasets as NeuroAlign's output."""
    mm = np.memmap(path, dtype=np.int16, mode="r").reshape(-1, CH)
    w_count = mm.shape[0] // N
    kw = dict(compression="gzip", compression_opts=level, shuffle=True) if level is not None else {}
    with h5py.File(out, "w") as f:
        f["windows/time"] = np.arange(w_count, dtype=np.float64)
        data = f.create_dataset("ephys/data", (w_count, N, CH), np.int16, chunks=(1, N, CH), **kw)
        ts = f.create_dataset("ephys/timestamps", (w_count, N), np.float64, chunks=(4, N), **kw)
        si = f.create_dataset("ephys/source_index", (w_count, N), np.int64, chunks=(4, N), **kw)
        st = f.create_dataset("ephys/source_time", (w_count, N), np.float64, chunks=(4, N), **kw)
        grid = np.arange(N)
        for w in range(w_count):
            data[w] = mm[w * N:(w + 1) * N]
            ts[w] = w + grid / N
            si[w] = w * N + grid
            st[w] = ts[w]


def write_speed(folder, total):
    """GB/s of writing `total` bytes to a new file in `folder` in 16 MB pieces: the ceiling for any export there."""
    buf = b"\x01" * (16 << 20)
    path = os.path.join(folder, "write-speed.bin")
    t = time.perf_counter()
    with open(path, "wb", buffering=0) as f:
        for _ in range(max(1, total // len(buf))):
            f.write(buf)
    speed = max(1, total // len(buf)) * len(buf) / (time.perf_counter() - t) / 1e9
    os.remove(path)
    return speed


def task_export(files, flip, only_uncompressed=False):
    path = files["ephys_60s"]
    raw = os.path.getsize(path)
    read_gbs = warm(path)
    out = []
    folder = tempfile.mkdtemp(prefix="neuroalign-compare-", dir=EXPORT_DIR)
    write_gbs = write_speed(folder, raw)
    for label, ours_args, level in (("export none", ["--compression", "none"], None),
                                    ("export gzip", ["--level", "1"], 4),
                                    ("export gzip", ["--level", "3"], 4),
                                    ("export gzip", ["--level", "4"], 4))[:1 if only_uncompressed else 4]:
        ours_file, peer_file = os.path.join(folder, "ours.h5"), os.path.join(folder, "peer.h5")

        def ours():
            t = time.perf_counter()
            subprocess.run(["dotnet", CLI, "--ephys", path, "--every", "1", "--after", "1", "--out", ours_file, *ours_args],
                           check=True, capture_output=True)
            return time.perf_counter() - t

        def peer():
            # A process of its own, as neuro-align is: both sides pay start-up (Python and its imports).
            t = time.perf_counter()
            subprocess.run([sys.executable, os.path.abspath(__file__), "h5py-export", path, peer_file, str(level)], check=True)
            return time.perf_counter() - t
        o, p = pair(flip, ours, peer)
        with h5py.File(ours_file, "r") as a, h5py.File(peer_file, "r") as b:
            same = a["ephys/data"].shape == b["ephys/data"].shape and all(
                np.array_equal(a["ephys/data"][w], b["ephys/data"][w]) for w in (0, a["ephys/data"].shape[0] // 2, -1))
            sizes = (os.path.getsize(ours_file) / raw, os.path.getsize(peer_file) / raw)
        note = (f"export of 60 1-s windows of a 1.38 GB 384-ch int16 recording, ours {' '.join(ours_args)} "
                f"(file {sizes[0]:.3f} of the input) vs h5py {'gzip ' + str(level) + ' + shuffle' if level else 'uncompressed'}"
                f" (file {sizes[1]:.3f}); input read from the page cache at {read_gbs:.2f} GB/s, "
                f"a plain 1.4 GB file written to {folder.rsplit('/', 1)[0]} at {write_gbs:.2f} GB/s")
        EXPORT_INPUT.update(bytes=raw, read_gbs=read_gbs, write_gbs=write_gbs)
        out.append((o, p, 1 if same else 0, 1, note, label + (" " + ours_args[1] if level else "")))
        for f in (ours_file, peer_file):
            os.remove(f)
    os.rmdir(folder)
    return out


EXPORT_INPUT = {}
EXPORT_DIR = None
# Issue 9's targets, as peer time / NeuroAlign time; the compressed-export one is at a comparable
# file size (ours gzip 3: 0.541 of the input, h5py gzip 4 + shuffle: 0.540).
TARGETS = {"window": 1.3, "channel": 1.0, "filter": 2.0, "nii.gz": 10.0, "export gzip 3": 1.0}
TASKS = {"window": task_window, "channel": task_channel, "clock": task_clock, "filter": task_filter,
         "nifti": task_nifti, "video-index": task_video_index, "video-window": task_video_window, "export": task_export,
         "export-none": lambda files, flip: task_export(files, flip, only_uncompressed=True)}


def main():
    if sys.argv[1:2] == ["h5py-export"]:
        # The peer side of the export tasks, run as its own process: h5py-export INPUT OUTPUT LEVEL|None.
        _, _, path, out, level = sys.argv
        h5py_export(path, out, None if level == "None" else int(level))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--only", default=",".join(TASKS))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--export-dir", default=None,
                    help="where the export tasks write (default: the system's temporary folder; /dev/shm takes the disk out)")
    args = ap.parse_args()
    global EXPORT_DIR
    EXPORT_DIR = args.export_dir
    unknown = [name for name in args.only.split(",") if name not in TASKS]
    if unknown:
        ap.error(f"--only {args.only}: no task {', '.join(unknown)}; tasks: {', '.join(TASKS)}")
    if not args.no_build:
        build()
    files = harness("files")
    files.pop("task", None)
    for key in ("ephys_180s", "ephys_60s", "nii", "nii_gz"):
        warm(files[key])
    load = os.getloadavg()
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} {platform.node()}: {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}, "
          f"numpy {np.__version__}, h5py {h5py.__version__}, nibabel {nib.__version__}")
    for name in args.only.split(","):
        results = {}
        for r in range(args.rounds):
            got = TASKS[name](files, r % 2 == 1)
            for row in (got if isinstance(got, list) else [got + (name,)]):
                o, p, oc, pc, note, key = row
                results.setdefault(key, {"ours": [], "peer": [], "checks": [], "note": note})
                results[key]["ours"].append(o)
                results[key]["peer"].append(p)
                results[key]["checks"].append(np.isclose(oc, pc, rtol=1e-6))
                results[key]["note"] = note
        for key, r in results.items():
            o, p = statistics.median(r["ours"]), statistics.median(r["peer"])
            ok = "same result" if all(r["checks"]) else "RESULTS DIFFER"
            rates = ""
            if key.startswith("export"):
                b = EXPORT_INPUT["bytes"]
                rates = (f"ours {b / o / 1e6:.0f} MB/s = {b / o / 1e9 / EXPORT_INPUT['read_gbs']:.3f} of the read speed "
                         f"and {b / o / 1e9 / EXPORT_INPUT['write_gbs']:.3f} of the write speed, "
                         f"peer {b / p / 1e6:.0f} MB/s; ")
            if key in TARGETS:
                ok += f"; target >= {TARGETS[key]}x: " + ("met" if p / o >= TARGETS[key] else "MISSED")
            print(f"{key:24s} ours {o * 1e3:10.2f} ms   peer {p * 1e3:10.2f} ms   ratio {p / o:6.2f}x   ({ok}; "
                  f"rounds {len(r['ours'])}) {rates}{r['note']}")
            sys.stdout.flush()
    print(f"# load at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
