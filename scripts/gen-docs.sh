#!/usr/bin/env bash
# Regenerates man/, completions/ and docs/cli.md from the clap definitions.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf man completions docs/cli.md
cargo run --quiet --bin private-chef-ctl -- gen-docs .
echo "man/, completions/ and docs/cli.md regenerated"
