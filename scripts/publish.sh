#!/usr/bin/env bash
# Builds neuro-align as one self-contained file for linux-x64 that runs without .NET installed:
# artifacts/neuro-align, with the report's native plotting libraries beside it (artifacts/lib*Sharp.so). Needs the .NET 10 SDK here (the runtime pack comes from NuGet); copy the
# file to any x86-64 Linux machine (glibc) and run it. Video needs ffmpeg/ffprobe there, as always.
set -euo pipefail
cd "$(dirname "$0")/.."
out=artifacts/publish-linux-x64
log=artifacts/publish.log
mkdir -p artifacts
rm -rf "$out"
start=$SECONDS
# NeuroAlignSingleFile switches on the publish properties in src/NeuroAlign.Cli/NeuroAlign.Cli.csproj
# (self-contained, single file, partial trimming) for that project only.
if ! dotnet publish src/NeuroAlign.Cli/NeuroAlign.Cli.csproj -c Release -p:NeuroAlignSingleFile=true \
    -o "$out" --nologo -clp:NoSummary >"$log" 2>&1; then
  cat "$log" >&2
  echo "publish.sh: dotnet publish failed (log above, also in $log)" >&2
  exit 1
fi

# Trim warnings say what trimming may break. Reviewed and accepted:
#   IL2104 PureHDF: it reflects over its own types, and partial trimming keeps PureHDF whole;
#   IL2104 ScottPlot: the same for the report's plotting library, rooted whole (TrimmerRootAssembly
#          in NeuroAlign.Cli.csproj), so nothing it reaches by reflection is trimmed;
#   IL2026 Hdf5Sink.AsWriteError: Exception.TargetSite of a method that threw, which exists
#          (checked: an EFBIG write still gives its one-line error; PublishedBinaryTests).
# Any other one fails the build: look at it, then fix the code or add it here with the reason.
unexpected=$(grep -E 'warning IL[0-9]{4}' "$log" \
  | grep -vE "warning IL2104: Assembly 'PureHDF' produced trim warnings" \
  | grep -vE "warning IL2104: Assembly 'ScottPlot' produced trim warnings" \
  | grep -vE 'warning IL2026: NeuroAlign\.Hdf5\.Hdf5Sink\.AsWriteError\(.*Exception\.TargetSite' \
  | sort -u || true)
if [[ -n "$unexpected" ]]; then
  echo "$unexpected" >&2
  echo "publish.sh: new trim or single-file warnings (above): review them (see the comment in scripts/publish.sh)" >&2
  exit 1
fi

install -m 755 "$out/neuro-align" artifacts/neuro-align
# The report's native plotting libraries (SkiaSharp, and HarfBuzz for ScottPlot's text), beside the
# binary where the host finds them (not bundled: bundled ones are unpacked into ~/.net at every
# start, which fails where HOME is unwritable).
install -m 644 "$out/libSkiaSharp.so" "$out/libHarfBuzzSharp.so" artifacts/
echo "artifacts/neuro-align: $(du -m artifacts/neuro-align | cut -f1) MB, self-contained linux-x64, with artifacts/libSkiaSharp.so and libHarfBuzzSharp.so: $(du -cm artifacts/lib*Sharp.so | tail -1 | cut -f1) MB (keep the three together), built in $((SECONDS - start)) s"
