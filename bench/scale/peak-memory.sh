#!/usr/bin/env bash
# Peak memory of one neuro-align export on a recording of a given size.
#
#   bench/scale/peak-memory.sh SIZE_GB [sparse|dense] [-- extra neuro-align args]
#
# Writes a 384-channel int16 recording of SIZE_GB (sparse: a file with holes, instant; dense:
# real bytes on disk), runs an export on it with the Release build, samples /proc/PID/status
# every 50 ms and prints peak VmRSS (all resident pages, including the shared page cache of the
# mapped file) and peak RssAnon (private memory: what "memory does not grow" is about).
set -euo pipefail
size_gb=${1:?size in GB}
kind=${2:-sparse}
shift $(( $# >= 2 ? 2 : 1 ))
[ "${1:-}" = "--" ] && shift
extra=("$@")
root=$(cd "$(dirname "$0")/../.." && pwd)
dir=${NEUROALIGN_BENCH_DIR:-/tmp/neuroalign-bench}
mkdir -p "$dir"
file="$dir/scale_${size_gb}GB_${kind}.dat"
bytes=$(( size_gb * 1000000000 / 768 * 768 ))
if [ ! -f "$file" ] || [ "$(stat -c %s "$file")" != "$bytes" ]; then
  if [ "$kind" = sparse ]; then
    truncate -s "$bytes" "$file"
  else
    head -c "$bytes" /dev/urandom > "$file"
  fi
fi
dotnet build "$root/src/NeuroAlign.Cli" -c Release -v quiet --nologo >/dev/null
seconds=$(( bytes / 768 / 30000 ))
time_s=$(( seconds / 2 ))
out="$dir/scale_out.h5"
start=$(date +%s%N)
dotnet "$root/src/NeuroAlign.Cli/bin/Release/net10.0/neuro-align.dll" --ephys "$file" --time "$time_s" --after 1 --out "$out" "${extra[@]}" >/dev/null &
pid=$!
peak_rss=0; peak_anon=0
while kill -0 "$pid" 2>/dev/null; do
  if [ -r "/proc/$pid/status" ]; then
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    anon=$(awk '/^RssAnon:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${rss:-0}" -gt "$peak_rss" ] && peak_rss=$rss
    [ "${anon:-0}" -gt "$peak_anon" ] && peak_anon=$anon
  fi
  sleep 0.05
done
wait "$pid"
end=$(date +%s%N)
awk -v g="$size_gb" -v k="$kind" -v s="$seconds" -v t="$time_s" -v r="$peak_rss" -v a="$peak_anon" -v d="$((end - start))" 'BEGIN {
  printf "input %s GB (%s, %d s of 384-channel int16), window at %d s: peak VmRSS %.1f MB, peak RssAnon %.1f MB, %.2f s\n", g, k, s, t, r / 1024, a / 1024, d / 1e9 }'
