#!/usr/bin/env bash
# Stops the daemons start.sh started, by their pid files, waiting for each to exit.
# From ../shared/slurm/stop.sh.
for f in /run/slurmd.pid /run/slurmctld.pid /run/munge/munged.pid; do
  [ -s "$f" ] || continue
  p=$(cat "$f"); kill "$p" 2>/dev/null || continue
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
done
