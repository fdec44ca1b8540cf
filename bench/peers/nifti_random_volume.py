"""Peer for VolumeReadBenchmarks: nibabel's dataobj[..., k] on the same files.

usage: /usr/bin/python3 bench/peers/nifti_random_volume.py FILE [REPEATS]
Prints the mean milliseconds per random volume (as float32, like NeuroAlign's output).
"""
import sys
import time

import nibabel as nib
import numpy as np

path = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
img = nib.load(path)
rng = np.random.default_rng(4)
volumes = img.shape[3]
start = time.perf_counter()
for _ in range(repeats):
    np.asarray(img.dataobj[..., int(rng.integers(0, volumes))], dtype=np.float32)
print(f"{path}: {(time.perf_counter() - start) / repeats * 1000:.1f} ms per random volume (nibabel {nib.__version__})")
