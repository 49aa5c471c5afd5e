#!/usr/bin/env bash
# Installs what building and testing Taccuino needs on Debian/Ubuntu.
# Idempotent: installs only what is missing. macOS and Windows need no
# system packages for the core (SQLCipher builds from source with the
# vendored OpenSSL there: see README).
set -euo pipefail

need=()
# poppler-utils: pdftotext, with which the export tests read PDFs back.
for pkg in libssl-dev pkg-config poppler-utils; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  echo "installing: ${need[*]}"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need[@]}"
fi
