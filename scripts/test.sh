#!/usr/bin/env bash
# The whole test suite, as CI runs it (README: quick start, command 2).
# On a fresh Debian 12 machine it first installs what it needs (apt packages, the
# kernel package the lab boots), then: format and lint checks, the unit and
# integration tests, bounded libFuzzer runs of every parser (FUZZ_SECS a target), and the
# lab tests on a real two-node DRBD pair and its front end.
#
# The lab measures how fast this machine runs its guests and scales every wait by it (its
# pace factor, printed at the end). To check that the suite holds on a slower machine:
#   LAB_HOGS=4 scripts/test.sh
# runs 4 CPU hogs (busy loops at the same priority, each its own session, as the guests are)
# beside the lab tests; on a 2-core machine the lab tests then took 1.9x as long.
# Every lab test file runs even when one fails; the failed tests are listed at the end
# (their guests' logs are under target/lab-logs/<test>/).
#
# For a developer: LAB_ONLY=1 skips fmt, clippy, the unit tests and fuzzing; LAB_TESTS="recovery
# stale_data" runs only those lab test files (lab/tests/<name>.rs). CI sets neither.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

step() { printf '\n==> %s (%ss)\n' "$*" "$(( $(date +%s) - start ))"; }

step "installing dependencies"
scripts/install-deps.sh

if [ -z "${LAB_ONLY:-}" ]; then
    step "cargo fmt --check"
    cargo fmt --all -- --check

    step "cargo clippy"
    cargo clippy --workspace --all-targets -- -D warnings

    step "unit and integration tests"
    cargo test --workspace --exclude lab

    step "fuzzing every parser with libFuzzer (${FUZZ_SECS:-45} s a target)"
    scripts/fuzz.sh "${FUZZ_SECS:-45}"
fi

step "lab tests (qemu guests: the pair be1, be2 with real DRBD 8.4, keepalived, runit, PostgreSQL, Redis; the front end fe1)"
cargo build --release -p private-chef-ctl
cargo test --release -p lab --no-run
hogs="${LAB_HOGS:-0}"
case "$hogs" in
    ''|*[!0-9]*) echo "LAB_HOGS=$hogs: expected a number of CPU hogs (0 to 64)" >&2; exit 2 ;;
esac
if [ "$hogs" -gt 64 ]; then echo "LAB_HOGS=$hogs: expected a number of CPU hogs (0 to 64)" >&2; exit 2; fi
hog_pids=()
stop_hogs() { if [ "${#hog_pids[@]}" -gt 0 ]; then kill "${hog_pids[@]}" 2>/dev/null || true; hog_pids=(); fi; }
trap stop_hogs EXIT
for _ in $(seq 1 "$hogs"); do
    # its own session, so the scheduler weighs it like one guest (each qemu is a session)
    setsid sh -c 'while :; do :; done' &
    hog_pids+=("$!")
done
if [ "$hogs" -gt 0 ]; then echo "running $hogs CPU hogs beside the lab tests"; fi
rm -f target/lab-pace.log
lab_log=target/lab-tests.log
lab_targets=()
for t in ${LAB_TESTS:-}; do
    case "$t" in
        ''|*[!a-z0-9_]*) echo "LAB_TESTS: $t: expected lab test file names (bootstrap failover …)" >&2; exit 2 ;;
    esac
    [ -f "lab/tests/$t.rs" ] || { echo "LAB_TESTS: lab/tests/$t.rs does not exist" >&2; exit 2; }
    lab_targets+=(--test "$t")
done
set +e
cargo test --release -p lab --no-fail-fast "${lab_targets[@]}" -- --test-threads=1 2>&1 | tee "$lab_log"
lab_rc=${PIPESTATUS[0]}
set -e
stop_hogs
if [ -s target/lab-pace.log ]; then
    echo "lab pace factors (1 = the reference machine; every lab wait was scaled by its lab's):"
    sort -k2 -n target/lab-pace.log | awk '{ f[NR] = $2 } END { printf "  %d labs: min %s, median %s, max %s\n", NR, f[1], f[int((NR + 1) / 2)], f[NR] }'
fi
if [ "$lab_rc" != 0 ]; then
    echo "lab tests FAILED (logs of each failed test under target/lab-logs/<test>/):" >&2
    grep -E '^test .* \.\.\. FAILED$' "$lab_log" | sed 's/^test /  /; s/ \.\.\. FAILED$//' >&2 || true
    grep -E '^error: .*(target|test).* failed' "$lab_log" >&2 || true
    exit "$lab_rc"
fi

step "done in $(( $(date +%s) - start ))s"
