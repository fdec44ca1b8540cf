#!/usr/bin/env bash
# Runs every test: style check, build, unit and end-to-end tests against numpy, h5py, nibabel
# and ffprobe. Installs the missing Debian packages first.
set -euo pipefail
cd "$(dirname "$0")"
scripts/install-prerequisites.sh
# The scale-out tests submit real array jobs to a one-node Slurm cluster on this machine: started
# here when we are root (installing slurm-wlm and munge with apt if needed); otherwise they skip.
scripts/slurm-test-cluster/start.sh || echo "test.sh: no Slurm cluster here; the Slurm tests will be skipped"
dotnet restore NeuroAlign.slnx --nologo -v quiet
dotnet format NeuroAlign.slnx --verify-no-changes --no-restore
dotnet build NeuroAlign.slnx -c Release --no-restore --nologo -v quiet
# The single-file build for machines without .NET (artifacts/neuro-align), which PublishedBinaryTests
# run with no dotnet on PATH; built here so that the test run does not wait for it.
scripts/publish.sh
dotnet test NeuroAlign.slnx -c Release --no-build --nologo
