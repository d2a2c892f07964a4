#!/usr/bin/env bash
# What the metrics cost in the lab, against what an operator runs today: CPU time (user +
# system, every child process included: drbdadm, sv, ssh, ...) on be1, the master, of
#   - the textfile service at 1 s beside `ha-status --watch --interval 1`, with the same
#     sources: this node's checks and the front ends (`metrics ... --no-peer` beside
#     `ha-status --watch --frontends`), and this node's checks alone (`--no-peer
#     --no-frontends` beside `ha-status --watch`); and the service as shipped (the peer over
#     ssh too, which `ha-status --watch` cannot ask);
# each run alone for BENCH_SECS seconds (default 60), the five alternated BENCH_ROUNDS times
# (default 3) so that a burst of load elsewhere hits every row alike; and one-shot runs
# (median of BENCH_RUNS, default 5): `metrics` beside `ha-status --json` over the same
# sources. The peer's own side (be2 answering `ha-status --json` over ssh) is not counted.
# A command that fails (or, for the 1 s rows, ends before its time) stops the bench.
# Prints figures; asserts nothing else.
#
# Needs: cargo build --release -p private-chef-ctl -p lab. Usage: scripts/bench-metrics.sh
set -euo pipefail
cd "$(dirname "$0")/.."
LAB=./target/release/lab
export LAB_RUN_DIR=${LAB_RUN_DIR:-$HOME/.cache/private-chef-ctl-lab/bench-metrics-run}
SECS=${BENCH_SECS:-60}
ROUNDS=${BENCH_ROUNDS:-3}
RUNS=${BENCH_RUNS:-5}
for v in "SECS=$SECS" "ROUNDS=$ROUNDS" "RUNS=$RUNS"; do
    case "${v#*=}" in
        ''|*[!0-9]*|0) echo "BENCH_$v: expected a positive whole number" >&2; exit 2 ;;
    esac
done
cleanup() { "$LAB" down >/dev/null 2>&1 || true; }
trap cleanup EXIT

"$LAB" up
pace=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1])).get('pace', 1))" "$LAB_RUN_DIR/state.json")

# In the guest: `cpu SECS CMD...` runs CMD for SECS seconds (then SIGTERM) and prints the
# CPU seconds it and its children used; `once CMD...` runs CMD to its end and prints
# "<wall ms> <cpu ms>". bash's `times` reports the reaped children's user and system time.
helpers=$(cat <<'GUEST'
set -u
P=/opt/opscode/bin/private-chef-ctl
D=/var/lib/prometheus/node-exporter
secs() { awk '{ for (i = 1; i <= 2; i++) { split($i, a, "m"); sub("s", "", a[2]); t += a[1] * 60 + a[2] } printf "%.3f\n", t }'; }
# timed RC CMD...: the CPU seconds CMD and its children used; CMD must exit with RC, else
# the bench stops with its stderr (bash's `times` reports the reaped children's time)
timed() {
    local want=$1 out
    shift
    out=$(bash -c '"$@" >/dev/null 2>/tmp/bench.err; rc=$?; times; echo "rc $rc"' _ "$@")
    if [ "$(echo "$out" | tail -1)" != "rc $want" ]; then
        echo "bench: '$*' ended with $(echo "$out" | tail -1), expected rc $want: $(head -c 300 /tmp/bench.err)" >&2
        exit 1
    fi
    echo "$out" | tail -2 | head -1 | secs
}
# cpu SECS CMD...: CPU seconds of CMD run for SECS seconds; it must still run at the end
cpu() { local secs=$1; shift; timed 124 timeout -s TERM "$secs" "$@"; }
# once CMD...: "<wall ms> <CPU ms>" of one run, which must exit 0
once() {
    local s c e
    s=$(date +%s%N)
    c=$(timed 0 "$@") || exit 1
    e=$(date +%s%N)
    echo "$(( (e - s) / 1000000 )) $(awk -v c="$c" 'BEGIN { printf "%d", c * 1000 }')"
}
GUEST
)

declare -A cmd=(
    [metrics_fe]="\$P metrics --textfile \$D --interval 1 --no-peer"
    [watch_fe]="\$P ha-status --watch --interval 1 --frontends"
    [metrics_local]="\$P metrics --textfile \$D --interval 1 --no-peer --no-frontends"
    [watch_local]="\$P ha-status --watch --interval 1"
    [metrics_all]="\$P metrics --textfile \$D --interval 1"
)
rows=(metrics_fe watch_fe metrics_local watch_local metrics_all)
declare -A cpu
for round in $(seq "$ROUNDS"); do
    for r in "${rows[@]}"; do
        v=$("$LAB" exec be1 -- "$helpers
cpu $SECS ${cmd[$r]}")
        cpu[$r]+=" $v"
        echo "round $round: $r: $v CPU s in $SECS s" >&2
    done
done

declare -A once_cmd=(
    [m_local]="\$P metrics --no-peer --no-frontends"
    [s_local]="\$P ha-status --json"
    [m_fe]="\$P metrics --no-peer"
    [s_fe]="\$P ha-status --json --frontends"
    [m_peer]="\$P metrics --no-frontends"
    [s_peer]="\$P ha-status --json --peer"
)
once_rows=(m_local s_local m_fe s_fe m_peer s_peer)
declare -A wall cpuo
for _ in $(seq "$RUNS"); do
    for r in "${once_rows[@]}"; do
        o=$("$LAB" exec be1 -- "$helpers
once ${once_cmd[$r]}")
        read -r w c <<< "$o"
        wall[$r]+=" $w"
        cpuo[$r]+=" $c"
    done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
declare -A label=(
    [metrics_fe]="metrics --textfile DIR --interval 1 --no-peer"
    [watch_fe]="ha-status --watch --interval 1 --frontends"
    [metrics_local]="metrics --textfile DIR --interval 1 --no-peer --no-frontends"
    [watch_local]="ha-status --watch --interval 1"
    [metrics_all]="metrics --textfile DIR --interval 1 (as shipped, at 1 s)"
    [m_local]="metrics --no-peer --no-frontends"
    [s_local]="ha-status --json"
    [m_fe]="metrics --no-peer"
    [s_fe]="ha-status --json --frontends"
    [m_peer]="metrics --no-frontends"
    [s_peer]="ha-status --json --peer"
)
echo
printf '%-62s %9s %9s   %s\n' "be1, $SECS s each, median of $ROUNDS rounds" "CPU s" "% vCPU" "rounds (CPU s)"
for r in "${rows[@]}"; do
    m=$(echo "${cpu[$r]}" | median)
    printf '%-62s %9s %9s   %s\n' "${label[$r]}" "$m" "$(awk -v c="$m" -v s="$SECS" 'BEGIN { printf "%.1f", 100 * c / s }')" "${cpu[$r]}"
done
echo
printf '%-62s %9s %9s\n' "one run, median of $RUNS" "wall ms" "CPU ms"
for r in "${once_rows[@]}"; do
    printf '%-62s %9s %9s\n' "${label[$r]}" "$(echo "${wall[$r]}" | median)" "$(echo "${cpuo[$r]}" | median)"
done
echo "lab pace factor: $pace"
