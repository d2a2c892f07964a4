#!/usr/bin/env bash
# The whole test suite, as CI runs it (README: quick start, command 2).
# On a fresh Debian 12 machine it first installs what it needs (apt packages, the
# kernel package the lab boots), then: format and lint checks, the unit and
# integration tests, bounded libFuzzer runs of every parser (FUZZ_SECS a target), and the
# lab tests on a real two-node DRBD pair and its front end.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

step() { printf '\n==> %s (%ss)\n' "$*" "$(( $(date +%s) - start ))"; }

step "installing dependencies"
scripts/install-deps.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

step "unit and integration tests"
cargo test --workspace --exclude lab

step "fuzzing every parser with libFuzzer (${FUZZ_SECS:-45} s a target)"
scripts/fuzz.sh "${FUZZ_SECS:-45}"

step "lab tests (qemu guests: the pair be1, be2 with real DRBD 8.4, keepalived, runit, PostgreSQL, Redis; the front end fe1)"
cargo build --release -p private-chef-ctl
cargo test --release -p lab -- --test-threads=1

step "done in $(( $(date +%s) - start ))s"
