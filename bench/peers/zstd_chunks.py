"""C libzstd (python3-zstandard) on the export's chunks, beside ZstdSharp in the sink's codec.

    /usr/bin/python3 bench/peers/zstd_chunks.py [--modality fmri] [--level 1] [--reps 10] [--no-build]

The same twenty chunks the export writes (each window of codec_MODALITY.bin cut in two, as the sink
cuts them), byte-shuffled beforehand (numpy), then each compressed to one zstd frame with its content
size (what the HDF5 zstd filter 32015 stores) by C libzstd: on one thread, on two threads (two chunks
at once; zstandard releases the GIL), and one chunk at a time with libzstd's own two workers (a
different frame, for reference). NeuroAlign's side is `harness codec-chunk MODALITY zstd-LEVEL REPS
THREADS pre-shuffled` (ZstdSharp, the same frames). Prints best and median milliseconds per chunk and
the ratio of each, and checks that C's frames and ours have the same total size.
"""
import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import time

import numpy as np
import zstandard

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HARNESS = os.path.join(ROOT, "bench/NeuroAlign.Benchmarks/bin/Release/net10.0/NeuroAlign.Benchmarks.dll")
SHAPES = {"ephys": ("int16", (10, 12000, 384)), "video": ("uint8", (10, 30, 480, 640)), "fmri": ("float32", (10, 4, 96, 96, 64))}


def ours(modality, level, reps, threads):
    out = subprocess.run(["dotnet", HARNESS, "harness", "codec-chunk", modality, f"zstd-{level}", str(reps), str(threads), "pre-shuffled"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def timed(reps, run, chunks):
    times = []
    for _ in range(reps + 1):
        t = time.perf_counter()
        sizes = run()
        times.append((time.perf_counter() - t) * 1e3 / len(chunks))
    times = sorted(times[1:])
    return times[0], statistics.median(times), sum(sizes) / sum(len(c) for c in chunks)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--modality", default="fmri")
    ap.add_argument("--level", type=int, default=1)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run(["dotnet", "build", os.path.join(ROOT, "bench/NeuroAlign.Benchmarks"), "-c", "Release", "-v", "quiet", "--nologo"],
                       check=True, stdout=subprocess.DEVNULL)
    folder = os.environ.get("NEUROALIGN_BENCH_DIR", "/tmp/neuroalign-bench")
    dtype, shape = SHAPES[args.modality]
    path = os.path.join(folder, f"codec_{args.modality}.bin")
    if not os.path.exists(path):
        ours(args.modality, args.level, 1, 1)  # the harness makes the data file
    data = np.fromfile(path, dtype=dtype).reshape(shape)
    size = np.dtype(dtype).itemsize
    chunks = []
    for window in data:
        flat = window.reshape(-1).view(np.uint8)
        for half in np.split(flat, 2):
            chunks.append(np.ascontiguousarray(half.reshape(-1, size).T).tobytes())  # HDF5's byte shuffle

    one = zstandard.ZstdCompressor(level=args.level, write_content_size=True)
    per_thread = [zstandard.ZstdCompressor(level=args.level, write_content_size=True) for _ in range(2)]
    mt = zstandard.ZstdCompressor(level=args.level, write_content_size=True, threads=2)
    pool = concurrent.futures.ThreadPoolExecutor(2)

    def two_threads():
        halves = [chunks[0::2], chunks[1::2]]
        futures = [pool.submit(lambda k: [len(per_thread[k].compress(c)) for c in halves[k]], k) for k in range(2)]
        return [n for f in futures for n in f.result()]

    rows = [
        ("C libzstd, 1 thread", timed(args.reps, lambda: [len(one.compress(c)) for c in chunks], chunks)),
        ("C libzstd, 2 threads (2 chunks at once)", timed(args.reps, two_threads, chunks)),
        ("C libzstd, 1 chunk on its 2 workers", timed(args.reps, lambda: [len(mt.compress(c)) for c in chunks], chunks)),
    ]
    for threads in (1, 2):
        o = ours(args.modality, args.level, args.reps, threads)
        rows.append((f"ZstdSharp, {threads} thread{'s' if threads > 1 else ''}", (o["best_ms_per_chunk"], o["median_ms_per_chunk"], o["ratio"])))
    mb = len(chunks[0]) / 1e6
    print(f"{args.modality}, zstd level {args.level}, {len(chunks)} chunks of {mb:.2f} MB, byte-shuffled beforehand")
    print("| compressor | best ms/chunk | median ms/chunk | MB/s (best) | ratio |")
    print("|---|---:|---:|---:|---:|")
    for name, (best, median, ratio) in rows:
        print(f"| {name} | {best:.2f} | {median:.2f} | {mb / best * 1e3:.0f} | {ratio:.4f} |")


if __name__ == "__main__":
    main()
