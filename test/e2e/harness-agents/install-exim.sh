#!/usr/bin/env bash
# Extracts Exim (exim4-daemon-heavy) into a private prefix for the end-to-end tests, without
# installing it: it conflicts with the installed postfix package (mail-transport-agent).
# Idempotent: does nothing when the prefix already has a working binary.
set -euo pipefail
PREFIX=${MOAT_EXIM_PREFIX:-/opt/moat-test/exim}
# The binary has its run-time user compiled in; exim4-base's postinst would create it.
getent passwd Debian-exim >/dev/null || useradd --system --home-dir /var/spool/exim4 --no-create-home --shell /usr/sbin/nologin Debian-exim
if [[ -x "$PREFIX/usr/sbin/exim4" ]] && LD_LIBRARY_PATH="$PREFIX/usr/lib" "$PREFIX/usr/sbin/exim4" -C /dev/null -bV >/dev/null 2>&1; then
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
cd "$work"
# libspf2-2 is the one library exim4-daemon-heavy needs that postfix's dependencies do not bring.
apt-get download exim4-daemon-heavy exim4-base libspf2-2 >/dev/null 2>&1 || { apt-get update -qq && apt-get download exim4-daemon-heavy exim4-base libspf2-2; }
mkdir -p "$PREFIX"
for deb in ./*.deb; do dpkg -x "$deb" "$PREFIX"; done
LD_LIBRARY_PATH="$PREFIX/usr/lib" "$PREFIX/usr/sbin/exim4" -C /dev/null -bV >/dev/null
echo "exim extracted to $PREFIX"
