#!/usr/bin/env bash
# Regenerates man/ and completions/ from the clap definitions.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf man completions
cargo run --quiet --bin private-chef-ctl -- gen-docs .
echo "man/ and completions/ regenerated"
