#!/usr/bin/env bash
# Starts a one-node Slurm cluster on localhost for the scale-out tests, installing Debian's
# slurm-wlm and munge first when they are missing. Needs root (and apt when not installed).
# Adapted from the recipe in ../shared/slurm/ (start.sh, stop.sh, slurm.conf.in and its README):
# same daemons and settings, plus: a lock so that two test runs do not restart each other's
# cluster, reuse of a cluster that already answers, CPUs and memory from this machine, and daemon
# output detached from the caller (a test runner reading our stdout must not wait for slurmd).
# Prints "slurm ready" when the node is idle; exits non-zero with the reason otherwise.
# Stop it with stop.sh beside this file.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" -ne 0 ]; then
  echo "slurm test cluster: needs root (running as $(id -un))"; exit 1
fi
exec 9>/run/neuroalign-slurm-test-cluster.lock
flock -w 120 9 || { echo "slurm test cluster: another start is still running"; exit 1; }

if command -v sinfo >/dev/null && sinfo -h -o %T 2>/dev/null | grep -Eq '^(idle|mixed|allocated)'; then
  echo "slurm ready (already running)"; exit 0
fi

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  command -v apt-get >/dev/null || { echo "slurm test cluster: slurm-wlm is not installed and apt-get is absent"; exit 1; }
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
fi

"$HERE/stop.sh" >/dev/null 2>&1 || true
mkdir -p /etc/slurm
cpus=$(nproc)
memory_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 / 2 ))
sed -e "s/@NODEHOST@/$(hostname -s)/" -e "s/@CPUS@/$cpus/" -e "s/@MEMORY_MB@/$memory_mb/" \
  "$HERE/slurm.conf.in" > /etc/slurm/slurm.conf
# Fresh state every start: job ids and the completion log would otherwise carry over.
rm -rf /var/spool/slurmctld /var/spool/slurmd /var/log/slurm
mkdir -p /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
chown munge:munge /run/munge
[ -s /etc/munge/munge.key ] || { mungekey -c -f; chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key; }
# munged refuses to run as root ("Logfile is insecure"); there is no systemd to start it.
# The daemons must not inherit the lock (fd 9), or it stays held for as long as they run.
runuser -u munge -- /usr/sbin/munged </dev/null >/dev/null 2>&1 9>&-
munge -n | unmunge >/dev/null
/usr/sbin/slurmctld </dev/null >/dev/null 2>&1 9>&-
/usr/sbin/slurmd </dev/null >/dev/null 2>&1 9>&-
for _ in $(seq 1 80); do sinfo -h -o %T 2>/dev/null | grep -q '^idle' && break; sleep 0.25; done
if ! sinfo -h -o %T | grep -q '^idle'; then
  echo "slurm test cluster: the node never became idle"; sinfo -R || true; tail -20 /var/log/slurm/slurmd.log || true; exit 1
fi
echo "slurm ready"
