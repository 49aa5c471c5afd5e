#!/usr/bin/env bash
# The installed package and signed updates (issue 14), run by scripts/test.sh
# while the .deb it built is installed:
#
# 1. the installed app knows it came from a .deb and trusts only the
#    project's release keys;
# 2. a newer .deb (this one, repacked with the next version) signed with the
#    tests' key is refused by the installed app (unknown key), and a copy
#    with one byte changed is refused by the developer build (digest), with
#    the installed version unchanged each time;
# 3. the developer build, which trusts the tests' key, verifies the release
#    and installs it with dpkg: the installed version becomes the next one.
#
# Usage: scripts/installed-update.sh DEB VERSION (as root, or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
deb=$1
version=$2
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"

installed() { dpkg-query -W -f='${Version}' taccuino; }
fail() { echo "installed-update: $*" >&2; exit 1; }

info=$(/usr/bin/taccuino --update-info)
echo "$info"
case "$info" in *"installed from deb"*) ;; *) fail "the installed app does not know it came from a .deb" ;; esac
case "$info" in *test*) fail "the installed app trusts the tests' key" ;; esac

next=$(python3 -c 'import sys; a, b, c = sys.argv[1].split("."); print(f"{a}.{b}.{int(c) + 1}")' "$version")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dpkg-deb -R "$deb" "$work/pkg"
sed -i "s/^Version: .*/Version: $next/" "$work/pkg/DEBIAN/control"
dpkg-deb --root-owner-group -b "$work/pkg" "$work/Taccuino_${next}_amd64.deb" >/dev/null
target/debug/taccuino-release sign --key updates/keys/test/test-release.key \
  --package "$work/Taccuino_${next}_amd64.deb" --version "$next" \
  --notes-it "Prova di aggiornamento" --notes-en "Update test" --out "$work/release"

if $sudo_cmd /usr/bin/taccuino --install-update "$work/release" 2>"$work/err"; then
  fail "the installed app installed a release signed with the tests' key"
fi
grep -q unknown_key "$work/err" || fail "refused for another reason: $(cat "$work/err")"
[ "$(installed)" = "$version" ] || fail "the version changed after a refusal"
echo "refused by the installed app: $(cat "$work/err")"

cp -r "$work/release" "$work/tampered"
python3 - "$work/tampered/Taccuino_${next}_amd64.deb" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 1
open(p, "wb").write(b)
PY
if $sudo_cmd target/debug/taccuino --install-update "$work/tampered" --installed-from deb 2>"$work/err"; then
  fail "a tampered package was installed"
fi
grep -q digest_mismatch "$work/err" || fail "refused for another reason: $(cat "$work/err")"
[ "$(installed)" = "$version" ] || fail "the version changed after a refusal"
echo "tampered copy refused: $(cat "$work/err")"

$sudo_cmd target/debug/taccuino --install-update "$work/release" --installed-from deb
[ "$(installed)" = "$next" ] || fail "installed $(installed), expected $next"
echo "installed through the app's update path: taccuino $(installed)"
