#!/usr/bin/env bash
# Sets up and shows the demo register (an encrypted database with the small
# demo data, created on first run under ./taccuino-demo). Until the desktop
# app lands, this is the terminal view of it.
# Usage: scripts/demo.sh [SEARCH]   e.g. scripts/demo.sh rossi
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo run --quiet -p taccuino-demo --example demo -- "${TACCUINO_DEMO_DIR:-taccuino-demo}" "${1:-nicolo}"
