#!/usr/bin/python3
"""Binning sorted spikes: NeuroAlign's EventBinner against numpy (searchsorted + bincount).

Makes Kilosort 4-style folders (spike_times.npy int64 (N,), spike_clusters.npy int32) of N spikes
of U units over W seconds at 30 kHz in --dir (once; 10^8 spikes are 1.2 GB), then bins them into W
one-second windows of 1 ms bins: ours through `NeuroAlign.Benchmarks.dll harness spike-bin`
(which also builds the per-window spike lists), numpy the way users write it, on memory-mapped
arrays. Spike samples are never multiples of 30 (a 1 ms edge), so float arithmetic cannot put a
spike in different bins on the two sides; both must give the same checksum, sum(counts * (7k + u)).
Peak private memory (RssAnon) is sampled on both sides.

    /usr/bin/python3 bench/peers/spike_binning.py --spikes 1e6,1e7,1e8 --reps 3
"""
import argparse, json, os, subprocess, sys, time
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HARNESS = os.path.join(ROOT, "bench/NeuroAlign.Benchmarks/bin/Release/net10.0/NeuroAlign.Benchmarks.dll")
FS = 30000


def rss_anon_kb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0


def make(folder, n, units, seconds, seed=18):
    if os.path.exists(os.path.join(folder, "params.py")):
        return
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    times = np.lib.format.open_memmap(os.path.join(folder, "spike_times.npy"), mode="w+", dtype=np.int64, shape=(n,))
    clusters = np.lib.format.open_memmap(os.path.join(folder, "spike_clusters.npy"), mode="w+", dtype=np.int32, shape=(n,))
    chunks = max(1, n // 10_000_000)
    total = seconds * FS
    done = 0
    for j in range(chunks):
        count = n // chunks + (1 if j < n % chunks else 0)
        lo, hi = total * j // chunks, total * (j + 1) // chunks
        s = np.sort(rng.integers(lo, hi, count))
        s[s % 30 == 0] += 1  # never on a 1 ms edge
        times[done:done + count] = np.minimum(s, total - 1)
        clusters[done:done + count] = rng.integers(0, units, count)
        done += count
    times.flush(); clusters.flush()
    del times, clusters
    with open(os.path.join(folder, "params.py"), "w") as f:
        f.write("dat_path = ['bench.bin']\nn_channels_dat = 385\ndtype = 'int16'\noffset = 0\nsample_rate = 30000.0\nhp_filtered = True\n")


def numpy_bin(folder, windows, units, reps):
    t_all = np.load(os.path.join(folder, "spike_times.npy"), mmap_mode="r")
    c_all = np.load(os.path.join(folder, "spike_clusters.npy"), mmap_mode="r")
    bins = 1000
    weights = (7 * np.arange(bins)[:, None] + np.arange(units)[None, :]).ravel().astype(np.float64)
    peak = rss_anon_kb()
    check = 0.0
    for w in range(windows):  # the checksum pass, untimed
        i0, i1 = np.searchsorted(t_all, [w * FS, (w + 1) * FS])
        k = ((t_all[i0:i1] / FS - w) * bins).astype(np.int64)
        counts = np.bincount(k * units + c_all[i0:i1], minlength=bins * units)
        check += float(counts @ weights)
        if w % 100 == 0:
            peak = max(peak, rss_anon_kb())
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        for w in range(windows):
            i0, i1 = np.searchsorted(t_all, [w * FS, (w + 1) * FS])
            k = ((t_all[i0:i1] / FS - w) * bins).astype(np.int64)
            counts = np.bincount(k * units + c_all[i0:i1], minlength=bins * units)
        times.append(time.perf_counter() - started)
    return {"median_s": float(np.median(times)), "min_s": min(times), "check": check, "peak_rss_anon_mb": peak / 1024}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--spikes", default="1e6,1e7")
    p.add_argument("--units", type=int, default=500)
    p.add_argument("--windows", type=int, default=10000)
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--dir", default="/tmp/neuroalign-bench")
    p.add_argument("--no-build", action="store_true")
    a = p.parse_args()
    if not a.no_build:
        subprocess.run(["dotnet", "build", "-c", "Release", "-m:1", "-v", "q", os.path.join(ROOT, "bench/NeuroAlign.Benchmarks")], check=True, capture_output=True)
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} load {' '.join(f'{x:.1f}' for x in os.getloadavg())}, numpy {np.__version__}; "
          f"{a.windows} windows of 1 s, 1 ms bins, {a.units} units")
    for n in [int(float(x)) for x in a.spikes.split(",")]:
        folder = os.path.join(a.dir, f"spikes-{n}")
        make(folder, n, a.units, a.windows)
        ours = json.loads(subprocess.run(["dotnet", HARNESS, "harness", "spike-bin", folder, str(a.windows), str(a.reps)],
                                         check=True, capture_output=True, text=True).stdout)
        # numpy in a process of its own, so its memory is its own.
        peer = json.loads(subprocess.run([sys.executable, __file__, "--numpy", folder, str(a.windows), str(a.units), str(a.reps)],
                                         check=True, capture_output=True, text=True).stdout)
        same = "same result" if abs(ours["check"] - peer["check"]) < 1e-6 * max(1, abs(peer["check"])) else "RESULTS DIFFER"
        print(f"spikes {n:>11,}  ours {ours['median_s']:8.3f} s (open+check {ours['open_s']:.2f} s, RssAnon peak {ours['peak_rss_anon_mb']:.0f} MB)"
              f"  numpy {peer['median_s']:8.3f} s (RssAnon peak {peer['peak_rss_anon_mb']:.0f} MB)  ratio {peer['median_s'] / ours['median_s']:5.2f}x  {same}")
        sys.stdout.flush()


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--numpy":
        folder, windows, units, reps = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
        print(json.dumps(numpy_bin(folder, windows, units, reps)))
    else:
        main()
