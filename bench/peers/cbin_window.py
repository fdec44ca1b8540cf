"""Random 1 s windows of an mtscomp .cbin: NeuroAlign's MtscompStream against numpy doing the same
decompression in this script (zlib.decompress of each chunk the window touches, a cumulative sum
along time, a C-order copy: what mtscomp's Reader.read_chunk does), with an LRU cache of as many
chunks as NeuroAlign's, as mtscomp's reader keeps one.

    /usr/bin/python3 bench/peers/cbin_window.py [SECONDS] [REPS]

Makes /tmp/neuroalign-bench/cbin/rec.cbin + .ch once (385 int16 channels at 30 kHz, 1 s chunks,
chunk order F, zlib level -1 as mtscomp's defaults: noise of sd 25 counts on a slow drift shared
by neighbouring channels, which compresses to about half), then runs both sides one after the
other on the same starts and checks they read the same samples. Both processes' peak resident
size is printed.
"""
import functools, json, os, resource, subprocess, sys, time, zlib
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HARNESS = os.path.join(ROOT, "bench/NeuroAlign.Benchmarks/bin/Release/net10.0/NeuroAlign.Benchmarks.dll")
FOLDER = "/tmp/neuroalign-bench/cbin"
C, RATE = 385, 30000
seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 40
cbin, ch = os.path.join(FOLDER, f"rec{seconds}.cbin"), os.path.join(FOLDER, f"rec{seconds}.ch")

if not os.path.exists(ch):
    os.makedirs(FOLDER, exist_ok=True)
    rng = np.random.default_rng(1)
    bounds, offsets, pos = [0], [0], 0
    with open(cbin, "wb") as f:
        for s in range(seconds):
            drift = np.cumsum(rng.normal(0, 2, size=(RATE, 1)), axis=0) + 40 * np.sin(np.arange(C) / 30.0)
            x = (drift + rng.normal(0, 25, size=(RATE, C))).astype(np.int16)
            d = np.concatenate((x[:1], np.diff(x, axis=0)), axis=0)
            z = zlib.compress(d.tobytes(order="F"), -1)
            f.write(z); pos += len(z)
            bounds.append((s + 1) * RATE); offsets.append(pos)
    json.dump(dict(version="1.0", algorithm="zlib", comp_level=-1, do_time_diff=True, do_spatial_diff=False, dtype="int16",
                   n_channels=C, sample_rate=float(RATE), chunk_bounds=bounds, chunk_offsets=offsets, chunk_order="F",
                   shape=[seconds * RATE, C]), open(ch, "w"))

meta = json.load(open(ch))
bounds, offsets = meta["chunk_bounds"], meta["chunk_offsets"]
n = bounds[-1]
starts = np.random.default_rng(2).integers(0, n - RATE, size=64)

# NeuroAlign first (its cache size decides numpy's).
subprocess.run(["dotnet", "build", os.path.join(ROOT, "bench/NeuroAlign.Benchmarks"), "-c", "Release", "-v", "quiet", "--nologo"], check=True, stdout=subprocess.DEVNULL)
# CPU seconds of the harness process (user + system, both cores' worth): independent of the share of
# the machine it got, so it is comparable on a loaded machine; includes the runtime's start and JIT.
children = resource.getrusage(resource.RUSAGE_CHILDREN)
out = subprocess.run(["dotnet", HARNESS, "harness", "cbin-window", cbin, str(reps), ",".join(map(str, starts))], check=True, capture_output=True, text=True).stdout
after = resource.getrusage(resource.RUSAGE_CHILDREN)
ours_cpu = (after.ru_utime - children.ru_utime) + (after.ru_stime - children.ru_stime)
ours = json.loads(out.strip().splitlines()[-1])

fd = os.open(cbin, os.O_RDONLY)


@functools.lru_cache(maxsize=ours["cache_chunks"])
def chunk(i):
    raw = zlib.decompress(os.pread(fd, offsets[i + 1] - offsets[i], offsets[i]))
    d = np.frombuffer(raw, np.int16).reshape((bounds[i + 1] - bounds[i], C), order="F")
    return np.ascontiguousarray(np.cumsum(d, axis=0, dtype=np.int16))


def window(s):
    first = np.searchsorted(bounds, s, side="right") - 1
    last = np.searchsorted(bounds, s + RATE - 1, side="right") - 1
    parts = [chunk(i) for i in range(first, last + 1)]
    return np.concatenate(parts)[s - bounds[first]: s - bounds[first] + RATE]


times, check = [], 0
cpu0 = time.process_time()
for r in range(-2, reps):
    s = int(starts[max(0, r) % len(starts)])
    t = time.perf_counter()
    w = window(s)
    if r >= 0:
        times.append(time.perf_counter() - t)
        check += int(w.sum(dtype=np.int64))
peer_cpu = time.process_time() - cpu0
times.sort()
peer = times[len(times) // 2]
window_mb = RATE * C * 2 / 1e6
print(f"{seconds} s .cbin ({os.path.getsize(cbin) / 1e6:.0f} MB for {n * C * 2 / 1e6:.0f} MB), 1 s windows, {reps} reads, cache {ours['cache_chunks']} chunks")
print(f"  NeuroAlign MtscompStream: median {ours['median_s'] * 1e3:.1f} ms, min {ours['min_s'] * 1e3:.1f} ms, peak RSS {ours['peak_rss_kb'] / 1024:.0f} MB")
print(f"  numpy zlib+cumsum:        median {peer * 1e3:.1f} ms, min {times[0] * 1e3:.1f} ms, peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
print(f"  ratio numpy / NeuroAlign: {peer / ours['median_s']:.2f}x" + ("" if check == ours["check"] else "   RESULTS DIFFER"))
# MB of windows per CPU-second, over every read of each side (numpy: its 2 warm-up reads too; ours: the
# harness process's whole life, start-up and its own warm-up included, so ours is a lower bound).
print(f"  MB of windows per CPU-second: NeuroAlign >= {window_mb * reps / ours_cpu:.0f} ({ours_cpu:.2f} CPU-s for the process), numpy {window_mb * (reps + 2) / peer_cpu:.0f} ({peer_cpu:.2f} CPU-s)")
