#!/usr/bin/env bash
# Sets up and runs every check and test: the one command a newcomer (and CI)
# runs. Each step prints a heading; the first failure stops the run.
set -euo pipefail
cd "$(dirname "$0")/.."

# CI builds once from scratch: incremental caches would only cost disk.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi

step() { printf '\n==> %s\n' "$*"; }

step "system packages"
scripts/setup.sh

step "front end: type check, unit tests, build (the app embeds ui/dist)"
(cd ui && npm run build && npm test)

step "format"
cargo fmt --all --check

step "clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "docs"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

step "tests"
cargo test --workspace --locked

step "end to end: the real app window, driven through WebDriver"
# The binary `cargo test --workspace` just built: the same targets and
# feature set, so nothing is compiled again.
cargo build --workspace --all-targets --locked
rm -rf target/e2e-screenshots
if [ ! -x target/tools/bin/tauri-driver ]; then
  cargo install tauri-driver --version 2.1.0 --locked --root target/tools
fi
if [ -n "${DISPLAY:-}" ]; then
  (cd ui && npm run e2e)
else
  (cd ui && xvfb-run -a -s "-screen 0 1366x768x24" npm run e2e)
fi
echo "screenshots: target/e2e-screenshots/"

step "installers: .deb and .rpm built; the .deb installed, opened in a real window, updated, removed"
scripts/package.sh
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
version=$(cargo metadata --no-deps --format-version 1 --locked |
  python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"] == "taccuino-app"))')
deb=$(ls target/release/bundle/deb/*_"$version"_*.deb)
rpm=$(ls target/release/bundle/rpm/*-"$version"-*.rpm)
if dpkg -s taccuino >/dev/null 2>&1; then
  echo "a taccuino package is already installed here: remove it first (this step installs and removes its own)" >&2
  exit 1
fi
dpkg-deb --field "$deb" Package Version Depends
rpm -qp --queryformat '%{NAME} %{VERSION}\n' "$rpm"
rpm -qpl "$rpm" | grep -qx /usr/bin/taccuino
$sudo_cmd dpkg -i "$deb"
test -x /usr/bin/taccuino
grep -q '^Exec=taccuino' /usr/share/applications/Taccuino.desktop
if [ -n "${DISPLAY:-}" ]; then
  (cd ui && TACCUINO_APP=/usr/bin/taccuino npx vitest run --config vitest.installed.config.ts)
else
  (cd ui && TACCUINO_APP=/usr/bin/taccuino xvfb-run -a -s "-screen 0 1366x768x24" \
    npx vitest run --config vitest.installed.config.ts)
fi
# Signed updates on the installed package: refusals, then a real install.
scripts/installed-update.sh "$deb" "$version"
$sudo_cmd dpkg -r taccuino
test ! -e /usr/bin/taccuino
test ! -e /usr/share/applications/Taccuino.desktop
echo "removed cleanly: $deb"

step "benchmark (quick data set; the full one: cargo bench -p taccuino-bench --bench store)"
TACCUINO_BENCH_QUICK=1 cargo bench -p taccuino-bench --bench store --locked
TACCUINO_BENCH_QUICK=1 cargo bench -p taccuino-reports --bench exports --locked
# Sync over TLS against the real hub (the full one: cargo bench -p taccuino-hub --bench sync).
TACCUINO_BENCH_QUICK=1 cargo bench -p taccuino-hub --bench sync --locked
# A release's download from the real hub (the full one: cargo bench -p taccuino-hub --bench update).
TACCUINO_BENCH_QUICK=1 cargo bench -p taccuino-hub --bench update --locked
