#!/usr/bin/env bash
# One command on a fresh Debian/Ubuntu machine with the .NET 10 SDK: installs what is missing,
# builds, installs `neuro-align` as a .NET global tool from this checkout and runs the demo.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-prerequisites.sh
dotnet pack src/NeuroAlign.Cli -c Release -o artifacts/nupkg --nologo -v quiet
if dotnet tool list --global | grep -q '^neuroalign.cli '; then
  dotnet tool update --global --add-source artifacts/nupkg NeuroAlign.Cli --no-cache >/dev/null
else
  dotnet tool install --global --add-source artifacts/nupkg NeuroAlign.Cli --no-cache >/dev/null
fi
tool="$HOME/.dotnet/tools/neuro-align"
echo "installed: $("$tool" --version) at $tool (add ~/.dotnet/tools to PATH to call it as neuro-align)"
"$tool" demo --dir "${1:-neuroalign-demo}"
