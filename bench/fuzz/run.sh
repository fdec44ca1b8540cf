#!/usr/bin/env bash
# The long fuzz run: every reader fuzzer with N mutants (default 10 000) from a seed (default the
# fast set's), figures appended to a report file. See docs/reliability.md.
#   bench/fuzz/run.sh [MUTANTS] [SEED]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
mutants="${1:-10000}"
seed="${2:-6221079}"
report="${NEUROALIGN_FUZZ_REPORT:-$root/bench/fuzz/report-$(date -u +%Y%m%dT%H%M%SZ).txt}"
echo "fuzz: $mutants mutants per fuzzer, seed $seed, figures in $report"
dotnet build "$root/tests/NeuroAlign.Core.Tests/NeuroAlign.Core.Tests.csproj" -c Release -v quiet
NEUROALIGN_FUZZ_MUTANTS="$mutants" NEUROALIGN_FUZZ_SEED="$seed" NEUROALIGN_FUZZ_REPORT="$report" \
  dotnet test "$root/tests/NeuroAlign.Core.Tests/NeuroAlign.Core.Tests.csproj" -c Release --no-build \
  --filter "FullyQualifiedName~NeuroAlign.Core.Tests.Fuzzing" --logger "console;verbosity=normal"
cat "$report"
