#!/usr/bin/env bash
# Limits a process and everything it starts from then on to a CPU quota, through a cgroup
# of its own (scripts/test.sh's LAB_CPU: the lab step on a machine slowed on purpose).
#   scripts/cpu-cap.sh enter <quota µs per 100 ms> <pid>   e.g. 60000 = 0.6 of a core
#   scripts/cpu-cap.sh leave <pid>                          back to the root cgroup; removed
# cgroup v2 (cpu.max) or v1 (the cpu controller's cpu.cfs_quota_us); needs root.
set -euo pipefail

name=private-chef-ctl-lab-cpu
usage() { echo "usage: $0 enter <quota µs per 100 ms> <pid> | leave <pid>" >&2; exit 2; }
number() { case "$1" in ''|*[!0-9]*) return 1 ;; esac; }

if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
    root=/sys/fs/cgroup                 # v2: one hierarchy
else
    root=/sys/fs/cgroup/cpu             # v1: the cpu controller's hierarchy
fi
dir=$root/$name

case "${1:-}" in
    enter)
        [ $# = 3 ] && number "$2" && number "$3" || usage
        quota=$2 pid=$3
        if [ "$root" = /sys/fs/cgroup ]; then
            grep -qw cpu "$root/cgroup.controllers" ||
                { echo "cgroup v2 at $root has no cpu controller: LAB_CPU cannot limit the lab" >&2; exit 1; }
            mkdir -p "$dir"
            echo +cpu > "$root/cgroup.subtree_control" ||
                { echo "cannot enable the cpu controller in $root/cgroup.subtree_control (a container without a delegated cgroup?)" >&2; exit 1; }
            echo "$quota 100000" > "$dir/cpu.max"
        else
            [ -d "$root" ] ||
                { echo "no cgroup cpu controller at /sys/fs/cgroup (v2) or $root (v1): LAB_CPU cannot limit the lab" >&2; exit 1; }
            mkdir -p "$dir"
            echo 100000 > "$dir/cpu.cfs_period_us"
            echo "$quota" > "$dir/cpu.cfs_quota_us"
        fi
        echo "$pid" > "$dir/cgroup.procs"
        ;;
    leave)
        [ $# = 2 ] && number "$2" || usage
        [ -d "$dir" ] || exit 0
        echo "$2" > "$root/cgroup.procs" 2>/dev/null || true
        # processes still inside (a lab not yet torn down) keep it; the next enter reuses it
        rmdir "$dir" 2>/dev/null || true
        ;;
    *) usage ;;
esac
