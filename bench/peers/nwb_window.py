"""Random 1 s windows of a chunked, gzip-compressed 384-channel NWB ElectricalSeries: NeuroAlign's
NwbSeriesStream against h5py slicing the same dataset in this script (`d[s:s + 30000]`, h5py's
default chunk cache, then a 64 MiB one like ours).

    /usr/bin/python3 bench/peers/nwb_window.py [SECONDS] [REPS]

Makes /tmp/neuroalign-bench/nwb/recSECONDS.nwb once (h5py, no pynwb: the NWB attributes written
by hand): int16 [T, 384] at 30 kHz, chunks (30000, 64) as pynwb's neuroconv writers choose about
that size, gzip level 4; noise of sd 25 counts on a drift shared by neighbouring channels, as
cbin_window.py makes. Both sides read the same starts and must sum to the same checksum; peak
resident sizes are printed (ours for two file lengths shows whether memory grows with the file).
"""
import json, os, resource, subprocess, sys, time
import numpy as np
import h5py

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HARNESS = os.path.join(ROOT, "bench/NeuroAlign.Benchmarks/bin/Release/net10.0/NeuroAlign.Benchmarks.dll")
FOLDER = "/tmp/neuroalign-bench/nwb"
C, RATE = 384, 30000
seconds = int(sys.argv[1]) if len(sys.argv) > 1 else 20
reps = int(sys.argv[2]) if len(sys.argv) > 2 else 40
path = os.path.join(FOLDER, f"rec{seconds}.nwb")

if not os.path.exists(path):
    os.makedirs(FOLDER, exist_ok=True)
    rng = np.random.default_rng(1)
    with h5py.File(path + ".tmp", "w") as f:
        f.attrs["nwb_version"] = "2.7.0"; f.attrs["neurodata_type"] = "NWBFile"; f.attrs["namespace"] = "core"
        g = f.create_group("acquisition/ElectricalSeries")
        g.attrs["neurodata_type"] = "ElectricalSeries"; g.attrs["namespace"] = "core"
        d = g.create_dataset("data", shape=(seconds * RATE, C), dtype=np.int16, chunks=(RATE, 64), compression="gzip", compression_opts=4)
        d.attrs["unit"] = "volts"; d.attrs["conversion"] = 1.95e-7
        for s in range(seconds):
            drift = np.cumsum(rng.normal(0, 2, size=(RATE, 1)), axis=0) + 40 * np.sin(np.arange(C) / 30.0)
            d[s * RATE:(s + 1) * RATE] = (drift + rng.normal(0, 25, size=(RATE, C))).astype(np.int16)
        st = g.create_dataset("starting_time", data=0.0); st.attrs["rate"] = float(RATE)
    os.rename(path + ".tmp", path)

n = seconds * RATE
load = os.getloadavg()
starts = np.random.default_rng(2).integers(0, n - RATE, size=64)
subprocess.run(["dotnet", "build", os.path.join(ROOT, "bench/NeuroAlign.Benchmarks"), "-c", "Release", "-v", "quiet", "--nologo"], check=True, stdout=subprocess.DEVNULL)
out = subprocess.run(["dotnet", HARNESS, "harness", "nwb-window", path + "#ElectricalSeries", str(reps), ",".join(map(str, starts))], check=True, capture_output=True, text=True).stdout
ours = json.loads(out.strip().splitlines()[-1])


def peer(cache_bytes):
    with h5py.File(path, "r", rdcc_nbytes=cache_bytes, rdcc_nslots=10007) as f:
        d = f["acquisition/ElectricalSeries/data"]
        times, check, cpu = [], 0, 0.0
        for r in range(-2, reps):
            if r == 0:
                cpu = time.process_time()
            s = int(starts[max(0, r) % len(starts)])
            t = time.perf_counter()
            w = d[s:s + RATE]
            if r >= 0:
                times.append(time.perf_counter() - t)
                check += int(w.sum(dtype=np.int64))
        cpu = time.process_time() - cpu
        times.sort()
        return times[len(times) // 2], times[0], check, cpu


default = peer(1 << 20)
sized = peer(64 << 20)
print(f"{seconds} s NWB ElectricalSeries ({os.path.getsize(path) / 1e6:.0f} MB for {n * C * 2 / 1e6:.0f} MB), chunks ({RATE}, 64) gzip 4, 1 s windows, {reps} reads")
print(f"  load average before / after: {load[0]:.1f} / {os.getloadavg()[0]:.1f}")
print(f"  NeuroAlign NwbSeriesStream: median {ours['median_s'] * 1e3:.1f} ms, min {ours['min_s'] * 1e3:.1f} ms, CPU {ours['cpu_s'] / reps * 1e3:.1f} ms a window, peak RSS {ours['peak_rss_kb'] / 1024:.0f} MB")
print(f"  h5py d[s:s+30000], 1 MiB cache:  median {default[0] * 1e3:.1f} ms, min {default[1] * 1e3:.1f} ms, CPU {default[3] / reps * 1e3:.1f} ms a window")
print(f"  h5py d[s:s+30000], 64 MiB cache: median {sized[0] * 1e3:.1f} ms, min {sized[1] * 1e3:.1f} ms, CPU {sized[3] / reps * 1e3:.1f} ms a window, peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
print(f"  CPU ratio h5py (64 MiB) / NeuroAlign: {sized[3] / ours['cpu_s']:.2f}x")
print(f"  ratio h5py (64 MiB) / NeuroAlign: {sized[0] / ours['median_s']:.2f}x" + ("" if default[2] == ours["check"] == sized[2] else "   RESULTS DIFFER"))
