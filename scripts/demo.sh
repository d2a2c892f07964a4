#!/usr/bin/env bash
# Quick start #1: a real two-node Enterprise Chef HA back-end pair (DRBD 8.4 + keepalived +
# runit + PostgreSQL + Redis) in two local qemu guests, a front end (fe1) serving /_status,
# and a graceful failover driven by private-chef-ctl. keepalived's notify hooks run the product's handler
# (`private-chef-ctl cluster-transition master|backup|fault|stop`). Tears everything down on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
T0=$SECONDS
PCC=/opt/opscode/bin/private-chef-ctl

step() { printf '\n==> %s\n' "$*"; }

step "install dependencies (Debian packages, guest kernel into the cache)"
if [ "$(id -u)" = 0 ]; then ./scripts/install-deps.sh; else sudo ./scripts/install-deps.sh; fi

step "build private-chef-ctl and the lab (release)"
cargo build --release -p private-chef-ctl -p lab
LAB=./target/release/lab

cleanup() { step "tear down"; "$LAB" down || true; }
trap cleanup EXIT

step "boot the pair (be1 master, be2 backup) and the front end fe1"
"$LAB" up
# the waits below are this machine's: the reference machine's times the lab's pace factor
pace=$("$LAB" pace)
scaled() { awk -v s="$1" -v f="$pace" 'BEGIN { printf "%d", s * f + 0.999 }'; }

ha_status() {   # ha_status NODE: show and return private-chef-ctl ha-status on NODE
    echo "--- $1: private-chef-ctl ha-status"
    "$LAB" exec "$1" -- "$PCC" ha-status
}

step "ha-status on both nodes (both must pass)"
ha_status be1
ha_status be2
"$LAB" status

step "the front ends' view: /_status on fe1 (PostgreSQL and Redis through the VIP), served by be1"
"$LAB" exec be1 -- "$PCC" frontend-status

step "write a row through the VIP (from the front end fe1: the host has no route into the lab)"
"$LAB" exec fe1 -- psql -h 198.51.100.10 -U postgres -c \
    "CREATE TABLE IF NOT EXISTS demo(id serial PRIMARY KEY, at timestamptz DEFAULT now()); INSERT INTO demo DEFAULT VALUES;"

step "graceful failover: private-chef-ctl stop keepalived on the master (be1); notify_stop demotes be1, notify_master promotes be2"
T1=$SECONDS
"$LAB" exec be1 -- "$PCC" stop keepalived --yes

limit=$(scaled 120)
step "wait until be2 is master and both pass ha-status (deadline $limit s: 120 s x pace $pace)"
deadline=$((SECONDS + limit))
until "$LAB" exec be2 -- "$PCC" ha-status >/dev/null 2>&1 &&
      [ "$("$LAB" exec be2 -- cat /var/opt/opscode/keepalived/current_cluster_status)" = master ]; do
    if [ $SECONDS -ge $deadline ]; then
        echo "demo: be2 did not become a healthy master within $limit s" >&2
        ha_status be2 || true
        "$LAB" exec be2 -- tail -n 30 /var/log/opscode/keepalived/cluster.log || true
        exit 1
    fi
    sleep 1
done
echo "failover took $((SECONDS - T1)) s"

step "the front ends' view after the failover: served by be2"
"$LAB" exec be2 -- "$PCC" frontend-status

step "ha-status on both nodes after the failover"
ha_status be2
# be1 runs no keepalived now: its ha-status says so (exit status shown, not fatal)
ha_status be1 || echo "(be1 ha-status exit status $? - keepalived is stopped there, as requested)"

step "rejoin: private-chef-ctl start keepalived on be1 (nopreempt: it stays backup)"
"$LAB" exec be1 -- "$PCC" start keepalived --yes
limit=$(scaled 60)
deadline=$((SECONDS + limit))
until "$LAB" exec be1 -- "$PCC" ha-status >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then
        echo "demo: be1 did not become a healthy backup within $limit s" >&2
        ha_status be1 || true
        exit 1
    fi
    sleep 1
done
ha_status be1
ha_status be2
"$LAB" exec fe1 -- psql -h 198.51.100.10 -U postgres -Atc "SELECT count(*) AS rows_after_failover FROM demo"
echo "--- be1 cluster.log (notify_stop, then notify_backup on rejoin)"
"$LAB" exec be1 -- tail -n 14 /var/log/opscode/keepalived/cluster.log
echo "--- be2 cluster.log (notify_master)"
"$LAB" exec be2 -- tail -n 8 /var/log/opscode/keepalived/cluster.log

echo
echo "demo: done in $((SECONDS - T0)) s"
