#!/usr/bin/env bash
# Sets up and launches the desktop app. On first run the app offers to
# create a register with the small demo data set (one lab, 25 families).
# The register lives in the platform's data directory
# (~/.local/share/it.benecomune.taccuino); `scripts/app.sh --data-dir DIR`
# uses another one.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
(cd ui && npm run build)
cargo build -p taccuino-app --locked
exec target/debug/taccuino "$@"
