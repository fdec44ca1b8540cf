"""Reading a NeuroAlign export with h5py, and as a PyTorch Dataset.

    /usr/bin/python3 docs/examples/read_export.py EXPORT.h5

Runs in CI against a real export (tests/NeuroAlign.Cli.Tests, OutputFormatExampleTests). The
PyTorch part runs when torch is installed; the h5py part always does.
"""
import sys
import h5py
import numpy as np

path = sys.argv[1]
with h5py.File(path, "r") as f:
    times = f["windows/time"][:]                       # [W] reference-clock seconds
    data = f["ephys/data"]                               # [W, N, C] raw counts
    gain = f["ephys/gain_to_uV"][:]                      # [C]
    window_uv = data[0].astype(np.float32) * gain        # first window in microvolts
    inside = f["ephys/source_index"][0] >= 0             # rows that fall inside the recording
    print(f"{len(times)} windows, ephys {data.shape} {data.dtype}, first window mean {window_uv[inside].mean():.3f} uV")

try:
    import torch
except ImportError:
    torch = None

if torch is not None:
    class AlignedWindows(torch.utils.data.Dataset):
        def __init__(self, path):
            self.f = h5py.File(path, "r")
            self.gain = torch.from_numpy(self.f["ephys/gain_to_uV"][:]).float()

        def __len__(self):
            return len(self.f["windows/time"])

        def __getitem__(self, w):
            x = torch.from_numpy(self.f["ephys/data"][w].astype(np.float32)) * self.gain  # [N, C] µV
            valid = torch.from_numpy(self.f["ephys/source_index"][w] >= 0)
            return x, valid, float(self.f["windows/time"][w])

    loader = torch.utils.data.DataLoader(AlignedWindows(path), batch_size=2)
    x, valid, t = next(iter(loader))
    print(f"torch batch {tuple(x.shape)}")
