"""The numpy way of `signal > 0.8` with per-channel gains over 1 s x 384-channel int16 windows.

    /usr/bin/python3 bench/peers/filter_threshold.py FILE [REPEATS]

Times `(mm[s:s + 30000] * gain) > 0.8` (the gain array broadcast over channels, as users write it;
the result is a bool mask of the window's shape) at the same random starts the BenchmarkDotNet
class uses, after warming the page cache. Reports the median and the input rate in GB/s.
"""
import sys, time
import numpy as np

path = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 100
mm = np.memmap(path, dtype=np.int16, mode="r").reshape(-1, 384)
gain = np.where(np.arange(384) % 2 == 0, 2.34375, 0.195)
for s in range(0, mm.shape[0] - 30000, 30000):  # warm the page cache
    np.array(mm[s:s + 30000])
rng = np.random.default_rng(2)
starts = rng.integers(0, mm.shape[0] - 30000, size=64)
times = []
for r in range(repeats):
    s = starts[r % len(starts)]
    t = time.perf_counter()
    mask = (mm[s:s + 30000] * gain) > 0.8
    times.append(time.perf_counter() - t)
median = float(np.median(times))
print(f"numpy (x * gain) > 0.8, 1 s x 384 ch int16 window (23 MB): median {median * 1e3:.2f} ms, "
      f"{30000 * 384 * 2 / median / 1e9:.2f} GB/s of input, min {min(times) * 1e3:.2f} ms over {repeats}, numpy {np.__version__}")
