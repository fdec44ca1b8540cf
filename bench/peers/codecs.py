"""Compression codecs of the HDF5 export: NeuroAlign's Hdf5Sink against h5py + hdf5plugin, same bytes, same chunks.

    /usr/bin/python3 bench/peers/codecs.py [--reps N] [--only ephys,video,fmri] [--codecs gzip-1,zstd-1,...] [--mapped] [--no-build]

For each modality (ten windows of realistic int16 ephys, uint8 video-like frames, float32 fMRI-like
volumes; about 92 MB each, made once in $NEUROALIGN_BENCH_DIR by the harness) and each codec, NeuroAlign's
side is `NeuroAlign.Benchmarks.dll harness codec MODALITY CODEC REPS KEEP` (Hdf5Sink, chunks compressed
on every core) and the peer's side writes the same array with h5py into a file of its own, with the
chunk shape NeuroAlign chose and the same filters (gzip + shuffle; hdf5plugin's LZ4 + shuffle,
Bitshuffle-LZ4 and Blosc where Debian's plugins write them; Debian's hdf5plugin 4.0.1 has no zstd).
Both write to /dev/shm. Speed is raw data MB / median seconds of an export (file created, written,
closed), and MB per CPU-second (user + system time of the process: on a loaded machine, the cost
that does not depend on how much of the CPU the process got); ratio is the stored size of the data dataset / its raw size (h5py's get_storage_size). Every
NeuroAlign file is read back by h5py (with the plugins) and compared with the raw data where a plugin
decodes it. With --mapped, NeuroAlign's windows come as memory over the mapped data file (as from a
recording at its native rate: the uncompressed export then writes it without a copy, and the codecs
compress straight from it) instead of filled buffers; h5py still writes from the array in memory.
A negative level is one of zstd's fast levels: zstd--3 is zstd at level -3.
Prints a Markdown table.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time

import h5py
import hdf5plugin
import numpy as np

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
HARNESS = os.path.join(ROOT, "bench/NeuroAlign.Benchmarks/bin/Release/net10.0/NeuroAlign.Benchmarks.dll")
CODECS = ["none", "gzip-1", "gzip-4", "zstd-1", "zstd-3", "zstd--3", "lz4-0", "bitshuffle-lz4", "bitshuffle-zstd-1", "bitshuffle-zstd-3", "bitshuffle-zstd--2"]
READABLE = {"none", "gzip-1", "gzip-4", "lz4-0", "bitshuffle-lz4"}  # by Debian's h5py + plugins


def peer_filters(codec):
    if codec == "none":
        return {}
    if codec.startswith("gzip-"):
        return dict(compression="gzip", compression_opts=int(codec[5:]), shuffle=True)
    if codec == "lz4-0":
        return dict(**hdf5plugin.LZ4(), shuffle=True)
    if codec == "bitshuffle-lz4":
        return dict(**hdf5plugin.Bitshuffle(nelems=0, lz4=True))
    if codec == "blosc-lz4-bitshuffle":
        return dict(**hdf5plugin.Blosc(cname="lz4", clevel=5, shuffle=hdf5plugin.Blosc.BITSHUFFLE))
    return None  # zstd: not in Debian's plugins


def ours(modality, codec, reps, keep, mapped=False):
    out = subprocess.run(["dotnet", HARNESS, "harness", "codec", modality, codec, str(reps), keep, "0", "mapped" if mapped else "buffers"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def peer(data, chunks, filters, reps, folder):
    path = os.path.join(folder, "peer.h5")

    def write():
        with h5py.File(path, "w") as f:
            f.create_dataset("data", data=data, chunks=chunks, **filters)

    write()
    times, cpu = [], []
    for _ in range(reps):
        t, c = time.perf_counter(), time.process_time()
        write()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    with h5py.File(path, "r") as f:
        stored = f["data"].id.get_storage_size()
    return statistics.median(times), statistics.median(cpu), stored


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--only", default="ephys,video,fmri")
    ap.add_argument("--codecs", default=",".join(CODECS + ["blosc-lz4-bitshuffle"]))
    ap.add_argument("--mapped", action="store_true", help="NeuroAlign's windows as memory over the mapped data file")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run(["dotnet", "build", os.path.join(ROOT, "bench/NeuroAlign.Benchmarks"), "-c", "Release", "-v", "quiet", "--nologo"],
                       check=True, stdout=subprocess.DEVNULL)
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None
    print("| modality | codec | NeuroAlign MB/s | NeuroAlign MB/CPU-s | NeuroAlign ratio | h5py MB/s | h5py MB/CPU-s | h5py ratio |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for modality in args.only.split(","):
        with tempfile.TemporaryDirectory(dir=shm) as folder:
            first = ours(modality, "none", 1, os.path.join(folder, "ours.h5"))
            data = np.fromfile(first["data_file"], dtype=np.dtype(first["dtype"])).reshape(first["shape"])
            with h5py.File(os.path.join(folder, "ours.h5"), "r") as f:
                chunks = f[modality + "/data"].chunks
            for codec in args.codecs.split(","):
                row = [modality, codec, "—", "—", "—", "—", "—", "—"]
                if codec in CODECS:
                    keep = os.path.join(folder, "ours.h5")
                    o = ours(modality, codec, args.reps, keep, args.mapped)
                    with h5py.File(keep, "r") as f:
                        d = f[modality + "/data"]
                        stored = d.id.get_storage_size()
                        if codec in READABLE:
                            assert np.array_equal(d[()], data), (modality, codec)
                    row[2] = f"{data.nbytes / o['median_s'] / 1e6:.0f}"
                    row[3] = f"{data.nbytes / o['median_cpu_s'] / 1e6:.0f}"
                    row[4] = f"{stored / data.nbytes:.3f}"
                filters = peer_filters(codec)
                if filters is not None:
                    seconds, cpu, stored = peer(data, chunks, filters, args.reps, folder)
                    row[5] = f"{data.nbytes / seconds / 1e6:.0f}"
                    row[6] = f"{data.nbytes / cpu / 1e6:.0f}"
                    row[7] = f"{stored / data.nbytes:.3f}"
                print("| " + " | ".join(row) + " |", flush=True)


if __name__ == "__main__":
    main()
