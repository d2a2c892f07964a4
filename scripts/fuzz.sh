#!/usr/bin/env bash
# Coverage-guided fuzzing of every parser with libFuzzer (libfuzzer-sys), on the stable
# toolchain: the targets are built with the SanitizerCoverage flags that `cargo fuzz -s none`
# uses (no sanitizer runtime, so nothing nightly-only is needed), seeded from fixtures/.
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     (default 60 s, every target)
# Runs one target per core at a time (FUZZ_JOBS). Prints the executions per target; exits non-zero when a target crashes, panics, times out
# or runs out of memory (the input is kept in fuzz/artifacts/TARGET/).
set -euo pipefail
cd "$(dirname "$0")/.."
SECS=${1:-60}
shift || true
case "$SECS" in ''|*[!0-9]*) echo "fuzz.sh: seconds must be a whole number, got '$SECS'" >&2; exit 2 ;; esac
ALL=(proc_drbd private_chef_rb runit_status notify_args peer_status_json drbd_gi status_body drbd_running_config corosync_quorumtool)
TARGETS=("${@:-${ALL[@]}}")
[ "$#" -gt 0 ] || TARGETS=("${ALL[@]}")

export RUSTFLAGS="--cfg fuzzing -Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares -Cdebug-assertions -Coverflow-checks"
export CARGO_TARGET_DIR="$PWD/fuzz/target"
# an explicit --target keeps the flags off build scripts (they are not linked with libFuzzer)
HOST=$(rustc -vV | sed -n 's/^host: //p')
(cd fuzz && cargo build --release --bins --target "$HOST")

seed() {   # seed TARGET DIR: the fixtures that target's parser reads
    local t=$1 d=$2 f
    mkdir -p "$d"
    case "$t" in
        proc_drbd)
            for f in fixtures/proc-drbd/*.txt fixtures/transition/*.txt; do
                sed '/^# source: /d' "$f" > "$d/$(basename "$f")"
            done
            cp fixtures/fuzz-findings/proc_drbd* "$d/" ;;
        private_chef_rb)
            find fixtures/config fixtures/fuzz-findings -name '*.rb' -exec cp {} "$d/" \; ;;
        runit_status)
            cp fixtures/runit/*.status fixtures/fuzz-findings/runit_status*.input "$d/" ;;
        notify_args)
            cp fixtures/fuzz-findings/notify*.txt fixtures/fuzz-findings/notify_args*.input "$d/"
            printf 'master' > "$d/master"; printf 'INSTANCE\nPC_VI\nBACKUP\n100' > "$d/instance" ;;
        drbd_gi)
            cp fixtures/gi/*.txt "$d/" ;;
        drbd_running_config)
            cp fixtures/drbd-config/*.txt "$d/" ;;
        corosync_quorumtool)
            cp fixtures/corosync/*.txt "$d/" ;;
        status_body)
            cp fixtures/frontend/*.json fixtures/frontend/*.html "$d/" ;;
        peer_status_json)
            cp fixtures/fuzz-findings/peer*.json fixtures/fuzz-findings/peer_status_json*.input "$d/"
            find fixtures/diagnose -name '*.json' -exec cp {} "$d/" \; ;;
    esac
}

# fuzz TARGET: one bounded run; its result line goes to fuzz/target/TARGET.result
fuzz() {
    local t=$1 bin corpus log result execs cov
    bin="fuzz/target/$HOST/release/$t"
    corpus="fuzz/corpus/$t"
    seed "$t" "$corpus/seeds"
    mkdir -p "$corpus/found" "fuzz/artifacts/$t"
    log="fuzz/target/$t.log"
    if "$bin" "$corpus/found" "$corpus/seeds" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" >"$log" 2>&1; then
        result=ok
    else
        result="FAILED (see $log and fuzz/artifacts/$t/)"
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n1)
    echo "fuzz: $t: ${execs:-?} executions in ${SECS} s, ${cov:-cov: ?}, $result" > "fuzz/target/$t.result"
}

for t in "${TARGETS[@]}"; do
    [ -x "fuzz/target/$HOST/release/$t" ] || { echo "fuzz.sh: unknown target $t (known: ${ALL[*]})" >&2; exit 2; }
    rm -f "fuzz/target/$t.result"
done
# one target per core at a time (FUZZ_JOBS overrides): each run is single-threaded and
# bounded by its own time, so N cores give every target its SECONDS in 1/N of the wall time
JOBS=${FUZZ_JOBS:-$(nproc)}
case "$JOBS" in ''|*[!0-9]*|0) echo "fuzz.sh: FUZZ_JOBS must be a positive whole number, got '$JOBS'" >&2; exit 2 ;; esac
running=0
for t in "${TARGETS[@]}"; do
    if [ "$running" -ge "$JOBS" ]; then wait -n || true; running=$((running - 1)); fi
    fuzz "$t" &
    running=$((running + 1))
done
wait
status=0
for t in "${TARGETS[@]}"; do
    line=$(cat "fuzz/target/$t.result" 2>/dev/null || echo "fuzz: $t: FAILED (no result)")
    echo "$line"
    case "$line" in
        *", ok") ;;
        *) status=1; tail -n 40 "fuzz/target/$t.log" >&2 ;;
    esac
done
exit "$status"
