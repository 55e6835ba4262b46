#!/usr/bin/env bash
# Extracts Sendmail (sendmail-bin, sendmail-cf) into a private prefix for the milter
# end-to-end test, without installing it: it conflicts with the installed postfix package.
# Idempotent.
set -euo pipefail
PREFIX=${MOAT_SENDMAIL_PREFIX:-/opt/moat-test/sendmail}
if [[ -x "$PREFIX/usr/libexec/sendmail/sendmail" && -f "$PREFIX/usr/share/sendmail/cf/m4/cf.m4" ]]; then
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"
cd "$work"
apt-get download sendmail-bin sendmail-cf >/dev/null 2>&1 || { apt-get update -qq && apt-get download sendmail-bin sendmail-cf; }
mkdir -p "$PREFIX"
for deb in ./*.deb; do dpkg -x "$deb" "$PREFIX"; done
echo "sendmail extracted to $PREFIX"
