#!/usr/bin/env bash
# The whole test suite, as CI runs it (README: quick start, command 2).
# On a fresh Debian 12 machine it first installs what it needs (apt packages, the
# kernel package the lab boots), then: format and lint checks, the unit and
# integration tests, bounded libFuzzer runs of every parser (FUZZ_SECS a target), and the
# lab tests on a real two-node DRBD pair and its front end.
#
# The lab measures how fast this machine runs its guests and scales every wait by it (its
# pace factor, printed at the end). To check that the suite holds on a slower machine:
#   LAB_CPU=0.7 scripts/test.sh
# runs the lab step (its tests and their guests) in a cgroup limited to 0.7 cores (cgroup
# v2 cpu.max, or v1 cpu.cfs_quota_us; as root). Unlike busy loops beside the guests, a
# quota does not depend on what else the machine runs (as long as that leaves the lab its
# quota); docs/lab.md gives the figures it measured.
# Every lab test file runs even when one fails; the failed tests are listed at the end
# (their guests' logs are under target/lab-logs/<test>/). Two lab test files run at once
# (LAB_JOBS=2, each with its own lab; 1 runs them one after the other): most of a lab test
# is waiting on timers in the guests, so two labs share the cores well, and each lab's pace
# factor accounts for the other.
#
# For a developer: LAB_ONLY=1 skips fmt, clippy, the unit tests and fuzzing; LAB_TESTS="recovery
# stale_data" runs only those lab test files (lab/tests/<name>.rs). CI sets neither.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

step() { printf '\n==> %s (%ss)\n' "$*" "$(( $(date +%s) - start ))"; }

# LAB_CPU: checked before anything is installed or built
cpu_quota=""
if [ -n "${LAB_CPU:-}" ]; then
    cpu_quota=$(awk -v c="$LAB_CPU" 'BEGIN { if (c !~ /^[0-9]+(\.[0-9]+)?$/ || c + 0 < 0.1 || c + 0 > 64) exit 1; printf "%d", c * 100000 }') ||
        { echo "LAB_CPU=$LAB_CPU: expected the cores the lab step may use, a number from 0.1 to 64 (e.g. 1.0)" >&2; exit 2; }
fi

step "installing dependencies"
scripts/install-deps.sh

if [ -z "${LAB_ONLY:-}" ]; then
    step "cargo fmt --check"
    cargo fmt --all -- --check

    step "cargo clippy"
    cargo clippy --workspace --all-targets -- -D warnings

    step "unit and integration tests"
    cargo test --workspace --exclude lab

    step "fuzzing every parser with libFuzzer (${FUZZ_SECS:-20} s a target)"
    scripts/fuzz.sh "${FUZZ_SECS:-20}"
fi

step "lab tests (qemu guests: the pair be1, be2 with real DRBD 8.4, keepalived, runit, PostgreSQL, Redis; the front end fe1)"
cargo build --release -p private-chef-ctl -p lab
cargo test --release -p lab --no-run 2>&1 | tee target/lab-build.log   # names each test executable
# the cached kernel, initramfs and base disk images, built now if missing (minutes on a fresh
# machine): the lab test files below then start side by side without waiting on one another
target/release/lab images
rm -f target/lab-pace.log target/lab-tests-*.log
lab_log=target/lab-tests.log
lab_files=()
for t in ${LAB_TESTS:-}; do
    case "$t" in
        ''|*[!a-z0-9_]*) echo "LAB_TESTS: $t: expected lab test file names (bootstrap failover …)" >&2; exit 2 ;;
    esac
    [ -f "lab/tests/$t.rs" ] || { echo "LAB_TESTS: lab/tests/$t.rs does not exist" >&2; exit 2; }
    lab_files+=("$t")
done
if [ "${#lab_files[@]}" -eq 0 ]; then
    # longest first, so that the two queues end together (normal pace: about 765, 526, 440,
    # 410, 400, 375, 315 and 85 s)
    lab_files=(recovery stale_data fencing quorum_backup failover quorum_master frontends bootstrap)
    for f in lab/tests/*.rs; do
        t=$(basename "$f" .rs)
        case " ${lab_files[*]} " in *" $t "*) ;; *) lab_files+=("$t") ;; esac
    done
fi
jobs="${LAB_JOBS:-2}"
case "$jobs" in
    ''|*[!0-9]*|0) echo "LAB_JOBS=$jobs: expected how many lab test files run at once (1 to 4)" >&2; exit 2 ;;
esac
if [ "$jobs" -gt 4 ]; then echo "LAB_JOBS=$jobs: expected how many lab test files run at once (1 to 4)" >&2; exit 2; fi
declare -A lab_bin=()
while read -r t b; do [[ $b = /* ]] || b="$PWD/$b"; lab_bin[$t]=$b; done < <(
    sed -n 's|^ *Executable tests/\([a-z0-9_]*\)\.rs (\(.*\))$|\1 \2|p' target/lab-build.log)
for t in "${lab_files[@]}"; do
    [ -n "${lab_bin[$t]:-}" ] || { echo "lab test file $t: cargo did not name its test executable" >&2; exit 1; }
done
# One lab test file: its own log; a line with its result when it ends. Each file's tests run
# one at a time (each boots its own lab); cargo test's working directory for them is lab/.
run_lab_file() {
    local t=$1 t0 rc
    t0=$(date +%s)
    # --nocapture: each test's phases with their times, and the lab's boot progress, in its log
    (cd lab && LAB_VERBOSE=1 exec "${lab_bin[$t]}" --test-threads=1 --nocapture) > "target/lab-tests-$t.log" 2>&1
    rc=$?
    echo "$t $rc $(( $(date +%s) - t0 ))" >> target/lab-results.txt
    return "$rc"
}
report_lab_file() {   # the whole log of a file that ended, never interleaved with another's
    local t=$1 rc=$2 secs=$3
    printf '\n==> lab/tests/%s.rs: %s in %ss\n' "$t" "$([ "$rc" = 0 ] && echo ok || echo FAILED)" "$secs"
    cat "target/lab-tests-$t.log"
    cat "target/lab-tests-$t.log" >> "$lab_log"
}
rm -f target/lab-results.txt "$lab_log"
touch target/lab-results.txt
lab_rc=0
reported=0
report_new() {
    local n t rc secs
    n=0
    while read -r t rc secs; do
        n=$((n + 1))
        if [ "$n" -gt "$reported" ]; then
            report_lab_file "$t" "$rc" "$secs"
            [ "$rc" = 0 ] || lab_rc=1
            reported=$n
        fi
    done < target/lab-results.txt
}
cargo test --release -p lab --lib --bins   # the lab's own unit tests: no guests
if [ -n "$cpu_quota" ]; then
    scripts/cpu-cap.sh enter "$cpu_quota" "$$"
    trap 'scripts/cpu-cap.sh leave "$$"' EXIT
    echo "the lab step may use $LAB_CPU cores (LAB_CPU)"
fi
set +e
queue=("${lab_files[@]}")
if [ "$jobs" -gt 1 ]; then echo "running up to $jobs lab test files at once (LAB_JOBS)"; fi
running=0
for t in "${queue[@]}"; do
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
        report_new
    fi
    run_lab_file "$t" &
    running=$((running + 1))
done
while [ "$running" -gt 0 ]; do
    wait -n
    running=$((running - 1))
    report_new
done
set -e
if [ -s target/lab-pace.log ]; then
    echo "lab pace factors (1 = the reference machine; every lab wait was scaled by its lab's):"
    sort -k2 -n target/lab-pace.log | awk '{ f[NR] = $2 } END { printf "  %d labs: min %s, median %s, max %s\n", NR, f[1], f[int((NR + 1) / 2)], f[NR] }'
fi
echo "lab test files (seconds each):"
sed 's/^/  /' target/lab-results.txt
if [ "$lab_rc" != 0 ]; then
    echo "lab tests FAILED (logs of each failed test under target/lab-logs/<test>/):" >&2
    # libtest's closing list of each file ("failures:" then one indented name a line)
    awk '/^failures:$/ { f = 1; next } /^test result/ { f = 0 } f && /^    [A-Za-z0-9_:]+$/ { print "  " $1 }' "$lab_log" | sort -u >&2
    exit "$lab_rc"
fi

step "done in $(( $(date +%s) - start ))s"
