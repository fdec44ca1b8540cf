#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages NeuroAlign and its tests use, when they are missing:
# ffmpeg (video), and python3 with numpy, h5py and nibabel (the independent oracles of the tests).
set -euo pipefail
packages=(ffmpeg python3 python3-numpy python3-h5py python3-nibabel)
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
