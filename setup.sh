#!/usr/bin/env bash
# One command on a fresh Debian/Ubuntu machine with the .NET 10 SDK: installs what is missing,
# builds, installs `neuro-align` as a .NET global tool from this checkout and runs the demo.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-prerequisites.sh
# Precompiled for this machine's processor (ReadyToRun), so a command does not spend its first
# half-second compiling NeuroAlign: a one-window export starts in 0.31 s instead of 0.54 s
# (docs/benchmarks.md, "Start-up"). The tool still runs on the installed .NET 10 runtime.
case "$(uname -m)" in
  x86_64) rid=linux-x64 ;;
  aarch64 | arm64) rid=linux-arm64 ;;
  *) rid="" ;;
esac
rm -f artifacts/nupkg/NeuroAlign.Cli.*.nupkg
if [[ -n "$rid" ]]; then
  dotnet pack src/NeuroAlign.Cli -c Release -o artifacts/nupkg --nologo -v quiet \
    -p:RuntimeIdentifier="$rid" -p:SelfContained=false -p:PublishReadyToRun=true
else
  dotnet pack src/NeuroAlign.Cli -c Release -o artifacts/nupkg --nologo -v quiet
fi
# Uninstall first: `dotnet tool update` keeps an installed build of the same version (0.1.0 from
# an older checkout), so a re-run would silently keep running the old tool.
if dotnet tool list --global | grep -q '^neuroalign.cli '; then
  dotnet tool uninstall --global NeuroAlign.Cli >/dev/null
fi
dotnet tool install --global --add-source artifacts/nupkg NeuroAlign.Cli --no-cache >/dev/null
tool="$HOME/.dotnet/tools/neuro-align"
echo "installed: $("$tool" --version) at $tool (add ~/.dotnet/tools to PATH to call it as neuro-align)"
"$tool" demo --dir "${1:-neuroalign-demo}"
