#!/bin/bash
# Crash failover as the front end's writer sees it, in a lab with fe1 (the quorum arbiter
# where the code has quorum): the writer on fe1 writes through the VIP, be1's qemu is SIGKILLed;
# the outage is the first ack on a new connection minus the last ack before the crash, both on
# fe1's clock (no clock mapping between guests). Prints figures; asserts nothing.
# Usage: scripts/bench-failover-client.sh [CHECKOUT] (default: this one; a checkout of another
# commit, built with cargo build --release -p private-chef-ctl -p lab, compares it).
set -u
cd "${1:-$(dirname "$0")/..}"; L=./target/release/lab; export LAB_RUN_DIR=$HOME/.cache/private-chef-ctl-lab/bench-client-run
W=/run/lab-writer/rto
$L down >/dev/null 2>&1
$L up >/dev/null 2>&1 || { echo "up failed"; exit 1; }
$L exec fe1 -- "rm -rf $W && mkdir -p $W && setsid -f python3 /opt/lab/writer.py run $W --first 1 </dev/null >$W/out 2>&1"
prog() { $L exec fe1 -- "cat $W/progress 2>/dev/null || echo pg 0 redis 0 errors 0 t 0"; }
for i in $(seq 60); do p=$(prog); [ "$(echo $p | awk '{print $2}')" -ge 1000 ] && break; sleep 1; done
last=$(prog | awk '{print $8}'); before=$(prog | awk '{print $2}')
$L crash be1
t0=$(date +%s)
until [ "$(prog | awk '{print $2}')" -ge $((before + 100)) ]; do
  [ $(( $(date +%s) - t0 )) -lt 240 ] || { echo "no writes after the crash"; $L down; exit 1; }
  sleep 1
done
$L exec fe1 -- "cat $W/writer.log" > "$LAB_RUN_DIR.writer.log"
$L exec be2 -- "grep -E 'fence-peer.*answer|Transitioned to master|Entering MASTER' /var/log/opscode/keepalived/cluster.log /var/log/opscode/keepalived/current | tail -4 | cut -c1-200"
python3 - "$last" "$LAB_RUN_DIR.writer.log" <<'PY'
import sys
last = float(sys.argv[1])
for line in open(sys.argv[2]):
    t, msg = line.rstrip("\n").split(" ", 1)
    if float(t) > last and msg.endswith("first ack on this connection"):
        print(f"outage: {float(t) - last:.1f} s (last ack before the crash -> first ack on the new master, fe1's clock)")
        break
PY
$L down >/dev/null 2>&1
