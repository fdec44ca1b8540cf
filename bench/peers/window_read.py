"""The numpy way of reading a 1 s x 384-channel window from a memory-mapped int16 recording.

    /usr/bin/python3 bench/peers/window_read.py FILE [REPEATS]

Times `np.array(mm[start:start + 30000])` (a copy of the window out of the mapping, what users
write) at the same random starts the BenchmarkDotNet class uses, after warming the page cache.
"""
import sys, time
import numpy as np

path = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 200
mm = np.memmap(path, dtype=np.int16, mode="r").reshape(-1, 384)
for s in range(0, mm.shape[0] - 30000, 30000):  # warm the page cache
    np.array(mm[s:s + 30000])
rng = np.random.default_rng(2)
starts = rng.integers(0, mm.shape[0] - 30000, size=64)
best = []
for r in range(repeats):
    s = starts[r % len(starts)]
    t = time.perf_counter()
    w = np.array(mm[s:s + 30000])
    best.append(time.perf_counter() - t)
best.sort()
print(f"numpy memmap window copy (1 s x 384 ch int16, 23 MB): median {np.median(best) * 1e3:.3f} ms, "
      f"min {best[0] * 1e3:.3f} ms over {repeats} reads, numpy {np.__version__}")
