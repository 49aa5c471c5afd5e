#!/usr/bin/env bash
# Sets up and runs every check and test: the one command a newcomer (and CI)
# runs. Each step prints a heading; the first failure stops the run.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "system packages"
scripts/setup.sh

step "format"
cargo fmt --all --check

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "tests"
cargo test --workspace --locked

step "benchmark (quick data set; the full one: cargo bench -p taccuino-crdt-sync --bench store)"
TACCUINO_BENCH_QUICK=1 cargo bench -p taccuino-crdt-sync --bench store --locked
TACCUINO_BENCH_QUICK=1 cargo bench -p taccuino-crdt-sync --bench exports --locked
