#!/usr/bin/env bash
# Installs the Debian packages the tests need (Chromium for Playwright, PostgreSQL for the second
# vitest run, ffmpeg for transcoding, CJK fonts so Chinese renders in the browser).
# Idempotent: packages already installed are skipped, so a re-run takes well under a second.
set -euo pipefail

PACKAGES=(chromium postgresql ffmpeg fonts-noto-cjk)

missing=()
for pkg in "${PACKAGES[@]}"; do
  # dpkg also knows removed packages whose config files remain: require "install ok installed".
  status="$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)"
  if [ "$status" != "install ok installed" ]; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-system-deps: all present (${PACKAGES[*]})"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: ERROR: missing Debian packages: ${missing[*]}" >&2
  echo "install-system-deps: run as root, or: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
echo "install-system-deps: done"
