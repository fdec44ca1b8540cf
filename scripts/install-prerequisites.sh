#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages NeuroAlign and its tests use, when they are missing:
# ffmpeg (video), and python3 with numpy, h5py and nibabel (the independent oracles of the tests);
# for the compression codecs' tests, the reference HDF5 filter plugins and codecs: hdf5plugin and
# the LZ4, Blosc and bitshuffle plugins (h5py reads lz4 and bitshuffle-lz4 exports through them),
# python3-lz4, python3-zstandard and the zstd CLI (chunk bytes checked against the reference codecs);
# pandas with PyTables (the reference readers of DeepLabCut pose files and behaviour tables);
# chromium (headless: the QC report's tests render its HTML to a screenshot, as a person sees it).
set -euo pipefail
packages=(ffmpeg python3 python3-numpy python3-h5py python3-nibabel
  python3-hdf5plugin hdf5-filter-plugin hdf5-filter-plugin-blosc-serial bitshuffle python3-lz4 python3-zstandard zstd
  python3-pandas python3-tables chromium)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
