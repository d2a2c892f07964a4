#!/usr/bin/env bash
# What a peer view costs in the lab, against a local ha-status --json: the median of N runs
# (default 5, BENCH_RUNS) of each, timed inside be1 by its own clock, runs interleaved so that
# a burst of load elsewhere hits every row alike. Prints figures; asserts nothing.
#
# Rows: a local `ha-status --json`; ssh's own floor on a fresh connection (`ssh peer true`)
# and the remote ha-status on one; the first peer view of a command (no master yet: each
# `ha-status --peer --json` with the default config opens and closes its own); the remote
# ha-status over the shared connection (the peer view itself); the second
# and later peer views (`ha-status --peer --json` with the lab's ha['ssh_control_persist'],
# riding on one connection); `ha-diagnose --no-frontends` on that connection.
#
# Needs: cargo build --release -p private-chef-ctl -p lab. Usage: scripts/bench-peer.sh
set -euo pipefail
cd "$(dirname "$0")/.."
LAB=./target/release/lab
export LAB_RUN_DIR=${LAB_RUN_DIR:-$HOME/.cache/private-chef-ctl-lab/bench-peer-run}
RUNS=${BENCH_RUNS:-5}
cleanup() { "$LAB" down >/dev/null 2>&1 || true; }
trap cleanup EXIT

"$LAB" up --no-frontend
pace=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('pace', 1))" "$LAB_RUN_DIR/state.json")

# `lab exec NODE -- ONE_ARG` runs ONE_ARG as a bash script in the guest
script=$(cat <<'GUEST'
set -u
P=/opt/opscode/bin/private-chef-ctl
PEER=root@198.51.100.12
FRESH=(-o BatchMode=yes -o ControlPath=none)
# the default config: no ha['ssh_control_persist'], so each command's master closes with it
grep -v ssh_control_persist /etc/opscode/private-chef.rb > /tmp/bench-default.rb
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
declare -A t
SHARED=(-o BatchMode=yes -o ControlPath=/run/private-chef-ctl/ssh/%C)
rows=(local ssh_true ssh_ha_status shared_ha_status first_view later_view diagnose)
# the persisting master the "later" rows ride on
$P ha-status --peer --json >/dev/null 2>&1
for _ in $(seq "$runs"); do
    t[local]+=" $(ms $P ha-status --json)"
    t[ssh_true]+=" $(ms ssh "${FRESH[@]}" $PEER true)"
    t[ssh_ha_status]+=" $(ms ssh "${FRESH[@]}" $PEER $P ha-status --json)"
    t[shared_ha_status]+=" $(ms ssh "${SHARED[@]}" $PEER $P ha-status --json)"
    t[first_view]+=" $(ms $P --config /tmp/bench-default.rb ha-status --peer --json)"
    t[later_view]+=" $(ms $P ha-status --peer --json)"
    t[diagnose]+=" $(ms $P ha-diagnose --no-frontends --json)"
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
loc=$(echo "${t[local]}" | median)
declare -A label=(
    [local]="local ha-status --json"
    [ssh_true]="ssh peer true (fresh connection)"
    [ssh_ha_status]="ssh peer private-chef-ctl ha-status --json (fresh)"
    [shared_ha_status]="the same over the shared connection (a peer view)"
    [first_view]="ha-status --peer --json, first view (new master)"
    [later_view]="ha-status --peer --json, later views (shared)"
    [diagnose]="ha-diagnose --no-frontends --json (shared)"
)
printf '%-52s %8s %8s   %s\n' "median of $runs runs" "ms" "x local" "runs (ms)"
for r in "${rows[@]}"; do
    m=$(echo "${t[$r]}" | median)
    printf '%-52s %8s %8s  %s\n' "${label[$r]}" "$m" "$(awk -v a="$m" -v b="$loc" 'BEGIN { printf "%.2f", a / b }')" "${t[$r]}"
done
GUEST
)
"$LAB" exec be1 -- "runs=$RUNS
$script"
echo "lab pace factor: $pace"
