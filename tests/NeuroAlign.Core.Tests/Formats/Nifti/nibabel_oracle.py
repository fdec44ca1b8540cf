"""Independent oracle for the NIfTI tests: nibabel writes test images and reads them back.

usage:
  nibabel_oracle.py generate OUTDIR     write one image per (version, dtype, byte order, compression,
                                        scaling); print one JSON line per file
  nibabel_oracle.py dump OUT FILE...    for each FILE write get_fdata() as little-endian float32 to
                                        OUT/<index>.f32, volume after volume, each volume C-order
                                        [x, y, z]; print one JSON line per file (shape, slope, inter)
"""
import json
import os
import struct
import sys

import nibabel as nib
import numpy as np

DTYPES = ["uint8", "int8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float32", "float64"]


def values(dtype, shape, rng):
    dt = np.dtype(dtype)
    if dt.kind == "f":
        data = rng.normal(0, 1000, size=shape).astype(dt)
        data.flat[0] = np.finfo(dt).max
        data.flat[1] = np.finfo(dt).tiny
        data.flat[2] = -0.0
        data.flat[3] = np.nan
        return data
    info = np.iinfo(dt)
    data = rng.integers(info.min, info.max, size=shape, dtype=dt, endpoint=True)
    data.flat[0] = info.min
    data.flat[1] = info.max
    return data


def patch_scaling(path, version, order, slope, inter):
    """Sets scl_slope/scl_inter in the written header (nibabel computes its own on save)."""
    with open(path, "r+b") as f:
        if version == 1:
            f.seek(112)
            f.write(struct.pack(order + "ff", slope, inter))
        else:
            f.seek(176)
            f.write(struct.pack(order + "dd", slope, inter))


def generate(outdir):
    rng = np.random.default_rng(20240607)
    shape = (5, 4, 3, 2)
    for version in (1, 2):
        for dtype in DTYPES:
            for order in ("<", ">"):
                for gz in (False, True):
                    # Scale the integer types in the uncompressed files: every dtype is also read unscaled.
                    scaled = not gz and np.dtype(dtype).kind in "iu"
                    name = f"v{version}_{dtype}_{'be' if order == '>' else 'le'}{'_scaled' if scaled else ''}.nii{'.gz' if gz else ''}"
                    path = os.path.join(outdir, name)
                    header = (nib.Nifti1Header if version == 1 else nib.Nifti2Header)(endianness=order)
                    header.set_data_dtype(np.dtype(dtype).newbyteorder(order))
                    data = values(dtype, shape, rng).astype(np.dtype(dtype).newbyteorder(order))
                    cls = nib.Nifti1Image if version == 1 else nib.Nifti2Image
                    img = cls(data, np.eye(4), header=header)
                    img.header.set_slope_inter(1, 0)
                    img.header["pixdim"][4] = 2.5
                    img.header.set_xyzt_units("mm", "sec")
                    raw = os.path.join(outdir, "tmp_" + name[:-3]) if gz else path
                    img.to_filename(raw)
                    if scaled:
                        patch_scaling(raw, version, order, 0.25, -7.5)
                    if gz:
                        import gzip
                        with open(raw, "rb") as src, gzip.open(path, "wb") as dst:
                            dst.write(src.read())
                        os.remove(raw)
                    print(json.dumps({"file": name, "version": version, "dtype": dtype, "big_endian": order == ">", "gzip": gz, "scaled": scaled}))


def dump(out, files):
    for index, path in enumerate(files):
        img = nib.load(path)
        data = img.get_fdata()
        shape = list(img.shape)
        volumes = 1 if data.ndim == 3 else data.shape[3]
        with open(os.path.join(out, f"{index}.f32"), "wb") as f:
            for k in range(volumes):
                volume = data if data.ndim == 3 else data[..., k]
                f.write(np.ascontiguousarray(volume).astype("<f4").tobytes(order="C"))
        slope, inter = img.dataobj.slope, img.dataobj.inter
        print(json.dumps({"file": path, "shape": shape, "volumes": volumes, "slope": float(slope), "inter": float(inter),
                          "dtype": str(img.get_data_dtype().newbyteorder("=")), "big_endian": img.header.endianness == ">"}))


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(sys.argv[2])
    elif sys.argv[1] == "dump":
        dump(sys.argv[2], sys.argv[3:])
    else:
        raise SystemExit(__doc__)
