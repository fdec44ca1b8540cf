#!/usr/bin/env bash
# Runs the tests: style check, build, unit and end-to-end tests against numpy, h5py, nibabel and
# ffprobe. Installs the missing Debian packages first.
#
#   ./test.sh          every test (what CI runs)
#   ./test.sh --fast   leaves out the tests marked [Slow] (trait Category=Slow: a few seconds or more each)
set -euo pipefail
cd "$(dirname "$0")"

usage() { sed -n '2,6s/^# \{0,1\}//p' "$0"; }

# Each option adds what it needs; the test filters are joined with '&' (all must hold).
filters=()
while [[ $# -gt 0 ]]; do
    case "$1" in
        --fast) filters+=("Category!=Slow") ;;
        -h | --help) usage; exit 0 ;;
        *) echo "test.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

test_options=()
if [[ ${#filters[@]} -gt 0 ]]; then
    test_options+=(--filter "$(IFS='&'; echo "${filters[*]}")")
fi

scripts/install-prerequisites.sh
# The scale-out tests submit real array jobs to a one-node Slurm cluster on this machine: started
# here when we are root (installing slurm-wlm and munge with apt if needed); otherwise they skip.
scripts/slurm-test-cluster/start.sh || echo "test.sh: no Slurm cluster here; the Slurm tests will be skipped"
dotnet restore NeuroAlign.slnx --nologo -v quiet
dotnet format NeuroAlign.slnx --verify-no-changes --no-restore
dotnet build NeuroAlign.slnx -c Release --no-restore --nologo -v quiet
# The single-file build for machines without .NET (artifacts/neuro-align), which PublishedBinaryTests
# (a [Slow] test) run with no dotnet on PATH; built here so that the test run does not wait for it.
if [[ ${#filters[@]} -eq 0 ]]; then
    scripts/publish.sh
fi
dotnet test NeuroAlign.slnx -c Release --no-build --nologo "${test_options[@]}"
