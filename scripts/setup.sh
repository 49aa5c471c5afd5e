#!/usr/bin/env bash
# Installs what building, running and testing Taccuino needs on
# Debian/Ubuntu. Idempotent: installs only what is missing. macOS and
# Windows need no system packages (Tauri uses the system webview there;
# SQLCipher builds with the vendored OpenSSL: see README).
#
# - libssl-dev, pkg-config: SQLCipher's crypto.
# - libwebkit2gtk-4.1-dev, libgtk-3-dev, librsvg2-dev: the desktop app's
#   window (Tauri 2 on Linux).
# - poppler-utils: pdftotext, with which the export tests read PDFs back.
# - webkit2gtk-driver, xvfb: the end-to-end tests drive the real app window
#   through WebKitWebDriver, on a virtual display when there is none.
# - rpm: reads back the .rpm that scripts/package.sh builds (the .deb is
#   read with dpkg-deb and installed with dpkg, both always present).
# - nodejs, npm: the front end (only when no Node.js is installed).
# - systemd: `systemd-analyze`, with which hub/tests/service.rs checks the
#   hub's unit file (only when the tool is missing; nothing is started).
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in libssl-dev pkg-config poppler-utils libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev \
  webkit2gtk-driver xvfb xauth rpm; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "installing: ${need[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}"
fi

# The front end's packages, exactly as locked.
if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules/.package-lock.json ]; then
  (cd ui && npm ci --no-audit --no-fund)
fi
