#!/usr/bin/env bash
# A full export of a generated session at scale, with its memory sampled while it runs.
#
#   bench/scale/scale-run.sh [--size GB] [--kind dense|sparse] [--every S] [--compression gzip|none]
#                            [--level N] [--filter RULE | --no-filter] [--no-video] [--no-fmri] [--clean]
#
# Makes (once, kept in $NEUROALIGN_BENCH_DIR/scale, default /tmp/neuroalign-bench/scale) a session
# of SIZE GB of 384-channel int16 ephys at 30 kHz (default 8; dense: realistic signal written to
# disk, sparse: a file with holes, instant), a 160x120 30 fps H.264 video of the same duration and
# a 64x64x32 fMRI run (.nii.gz, TR 2 s, BIDS sidecar). Measures how fast the ephys file reads
# (dd to /dev/null: the page cache where it fits in memory, else the disk), then runs
# `neuro-align` over the whole session: a 1 s window every S seconds (default 1: every sample of
# the recording is exported once) with a filter rule (--no-filter: none, so that windows of raw
# samples go out straight from the mapping), and samples /proc/PID/status every 50 ms.
# Prints peak VmRSS (all resident pages, including mapped pages of the inputs, which the kernel
# shares and reclaims) and peak RssAnon (private memory: the figure that must stay flat),
# throughput, and the ratio of the export's input rate to the read speed. The output is deleted
# after the run; --clean deletes the inputs too. A size that does not fit on the disk (input plus
# output plus 2 GB) is refused before anything is written.
set -euo pipefail
size=8 kind=dense every=1 compression=gzip level=1 filter="ephys: abs(signal) < 500 uV" video=1 fmri=1 clean=0
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=$2; shift 2 ;;
    --kind) kind=$2; shift 2 ;;
    --every) every=$2; shift 2 ;;
    --compression) compression=$2; shift 2 ;;
    --level) level=$2; shift 2 ;;
    --filter) filter=$2; shift 2 ;;
    --no-filter) filter=""; shift ;;
    --no-video) video=0; shift ;;
    --no-fmri) fmri=0; shift ;;
    --clean) clean=1; shift ;;
    *) echo "scale-run.sh: unknown option $1 (see the comment at the top)" >&2; exit 2 ;;
  esac
done
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${NEUROALIGN_BENCH_DIR:-/tmp/neuroalign-bench}/scale
mkdir -p "$dir"
bytes=$(awk -v g="$size" 'BEGIN { printf "%.0f", int(g * 1e9 / 768) * 768 }')
seconds=$(( bytes / 768 / 30000 ))
ephys="$dir/ephys_${size}GB_${kind}.dat"
out="$dir/scale_out.h5"

# Disk: the dense input (unless already there) and the output (data plus a one-byte mask per
# value: 1.5 times the ephys covered uncompressed, about 0.8 with gzip; a sparse input's zeros
# compress to almost nothing, leaving the per-sample timestamps and indices, about 0.05), plus a margin.
need=$(awk -v b="$bytes" -v e="$every" -v c="$compression" -v k="$kind" 'BEGIN { r = c == "none" ? 1.5 : (k == "sparse" ? 0.05 : 0.8); printf "%.0f", b * r / e + 2e9 }')
[ "$kind" = dense ] && [ ! -f "$ephys" ] && need=$(( need + bytes ))
free=$(( $(df --output=avail -B1 "$dir" | tail -1) ))
if [ "$free" -lt "$need" ]; then
  echo "scale-run.sh: $size GB needs about $(( need / 1000000000 )) GB free in $dir; $(( free / 1000000000 )) GB are" >&2
  exit 1
fi

dotnet build "$root/src/NeuroAlign.Cli" -c Release -v quiet --nologo >/dev/null
dotnet build "$root/bench/NeuroAlign.Benchmarks" -c Release -v quiet --nologo >/dev/null
cli="$root/src/NeuroAlign.Cli/bin/Release/net10.0/neuro-align.dll"
harness="$root/bench/NeuroAlign.Benchmarks/bin/Release/net10.0/NeuroAlign.Benchmarks.dll"

if [ ! -f "$ephys" ] || [ "$(stat -c %s "$ephys")" != "$bytes" ]; then
  echo "making $ephys ($kind, $seconds s)" >&2
  if [ "$kind" = sparse ]; then
    rm -f "$ephys"; truncate -s "$bytes" "$ephys"
  else
    dotnet "$harness" harness make-ephys "$ephys" "$(awk -v b="$bytes" 'BEGIN { print b / 1e9 }')" >/dev/null
  fi
fi
inputs=(--ephys "$ephys")
if [ "$video" = 1 ]; then
  mp4="$dir/behaviour_${seconds}s.mp4"
  if [ ! -f "$mp4" ]; then
    echo "making $mp4" >&2
    ffmpeg -v error -nostdin -y -f lavfi -i "testsrc=size=160x120:rate=30" -t "$seconds" -c:v libx264 -preset ultrafast -g 60 -pix_fmt yuv420p "$mp4.partial.mp4"
    mv "$mp4.partial.mp4" "$mp4"
  fi
  inputs+=(--video "$mp4")
fi
if [ "$fmri" = 1 ]; then
  bold="$dir/fmri_${seconds}s/sub-01_task-rest_bold.nii.gz"
  if [ ! -f "$bold" ]; then
    echo "making $bold" >&2
    mkdir -p "$(dirname "$bold")"
    /usr/bin/python3 - "$bold" "$seconds" <<'EOF'
import json, math, os, sys
import nibabel as nib, numpy as np
path, seconds = sys.argv[1], int(sys.argv[2])
volumes = math.ceil(seconds / 2) + 1
rng = np.random.default_rng(3)
x, y, z = np.meshgrid(np.arange(64), np.arange(64), np.arange(32), indexing="ij")
brain = ((x - 32) ** 2 + (y - 32) ** 2 + 4 * (z - 16) ** 2) < 28 ** 2
data = np.empty((64, 64, 32, volumes), np.int16)
for t in range(volumes):
    data[..., t] = np.where(brain, 800, 0) + rng.integers(0, 40, size=brain.shape)
img = nib.Nifti1Image(data, np.eye(4))
img.header.set_xyzt_units("mm", "sec")
img.header["pixdim"][4] = 2.0
nib.save(img, path + ".partial.nii.gz")
os.replace(path + ".partial.nii.gz", path)
with open(path.replace(".nii.gz", ".json"), "w") as f:
    json.dump({"RepetitionTime": 2.0, "TaskName": "rest"}, f)
EOF
  fi
  inputs+=(--fmri "$bold" --fmri-cache "$dir/cache")
fi

# Read speed of the input: the page cache where the file fits in memory (run twice, take the
# second), the disk otherwise; sparse files read their holes as zeros.
read_speed() { dd if="$ephys" of=/dev/null bs=16M 2>&1 | awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s,") print $(i - 1) }'; }
read_speed >/dev/null
read_s=$(read_speed)
read_gbs=$(awk -v b="$bytes" -v s="$read_s" 'BEGIN { printf "%.2f", b / s / 1e9 }')

args=("${inputs[@]}" --every "$every" --after 1 --out "$out" --compression "$compression")
[ -n "$filter" ] && args+=(--filter "$filter")
[ "$compression" = gzip ] && args+=(--level "$level")
echo "neuro-align ${args[*]}" >&2
log="$dir/scale_log.txt"
start=$(date +%s%N)
dotnet "$cli" "${args[@]}" >"$log" 2>"$dir/scale_err.txt" &
pid=$!
peak_rss=0 peak_anon=0 peak_file=0
while kill -0 "$pid" 2>/dev/null; do
  if read -r rss anon file < <(awk '/^VmRSS:/ {r=$2} /^RssAnon:/ {a=$2} /^RssFile:/ {f=$2} END {print r+0, a+0, f+0}' "/proc/$pid/status" 2>/dev/null); then
    [ "$rss" -gt "$peak_rss" ] && peak_rss=$rss
    [ "$anon" -gt "$peak_anon" ] && peak_anon=$anon
    [ "$file" -gt "$peak_file" ] && peak_file=$file
  fi
  sleep 0.05
done
status=0; wait "$pid" || status=$?
end=$(date +%s%N)
if [ "$status" != 0 ]; then
  cat "$dir/scale_err.txt" >&2; exit "$status"
fi
out_bytes=$(stat -c %s "$out")
summary=$(head -1 "$log")
rm -f "$out"
[ "$clean" = 1 ] && rm -rf "$ephys" "$dir/cache" "${mp4:-/nonexistent}" "$(dirname "${bold:-/nonexistent/x}")"
load=$(cut -d' ' -f1-3 /proc/loadavg)
awk -v g="$size" -v k="$kind" -v s="$seconds" -v e="$every" -v c="$compression" -v l="$level" -v b="$bytes" -v ob="$out_bytes" \
    -v r="$peak_rss" -v a="$peak_anon" -v f="$peak_file" -v d="$((end - start))" -v rg="$read_gbs" -v ld="$load" -v v="$video" -v m="$fmri" -v fl="$filter" 'BEGIN {
  wall = d / 1e9; covered = b / e
  printf "input %s GB ephys (%s, %d s)%s%s; a 1 s window every %s s, %s%s, %s\n", g, k, s, (v ? " + video" : ""), (m ? " + fMRI" : ""), e, c, (c == "gzip" ? " level " l : ""), (fl == "" ? "no filter" : "filter " fl)
  printf "  wall %.1f s; ephys read %.0f MB/s (%.2f of the input read speed, %.2f GB/s by dd); output %.2f GB\n", wall, covered / wall / 1e6, covered / wall / 1e9 / rg, rg, ob / 1e9
  printf "  peak RssAnon %.1f MB (private; target < 256 MB: %s), peak VmRSS %.1f MB (peak RssFile %.1f MB: mapped input pages); load %s\n", a / 1024, (a < 256 * 1024 ? "met" : "MISSED"), r / 1024, f / 1024, ld
}'
echo "  $summary"
