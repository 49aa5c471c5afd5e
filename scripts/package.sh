#!/usr/bin/env bash
# Builds the installers this machine can build from a release build of the
# app: on Debian/Ubuntu, a .deb and an .rpm (target/release/bundle/deb/ and
# rpm/). The bundler is Tauri's own: its command line, tauri-cli, comes
# prebuilt from the npm registry as `@tauri-apps/cli` (a devDependency of
# ui/, pinned in its package-lock.json: `npm ci` installs it in seconds,
# where `cargo install tauri-cli` compiled for a quarter of an hour). Its
# settings are `bundle` in src-tauri/tauri.conf.json (name, icon, version
# from the workspace, desktop entry, runtime dependencies). Windows (.exe,
# NSIS, per user) and macOS (.dmg) installers are built the same way on
# those systems: see the README, "Install on a lab laptop".
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# The app embeds the front end: build it first.
(cd ui && npm run build)
# `--ci`: no prompts. The release build is the bundler's own (with the
# production protocol for the embedded front end).
ui/node_modules/.bin/tauri build --ci --bundles deb,rpm
ls -1 target/release/bundle/deb/*.deb target/release/bundle/rpm/*.rpm
