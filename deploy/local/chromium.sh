#!/usr/bin/env bash
# Headless Chromium for the browser tests (tests/support/chromium.py).
# Idempotent: installs the Debian `chromium` package only when no Chromium
# (or Chrome) binary is on PATH, and a Japanese font (the test report quotes
# Japanese text; without one the screenshot shows empty boxes) only when
# fontconfig knows none; then prints the version found.
#
# Usage: deploy/local/chromium.sh
set -euo pipefail

log() { printf '[chromium] %s\n' "$*" >&2; }
die() { printf '[chromium] error: %s\n' "$*" >&2; exit 1; }

find_browser() {
  local name
  for name in chromium chromium-browser google-chrome google-chrome-stable; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
  done
  return 1
}

has_japanese_font() {
  command -v fc-list >/dev/null 2>&1 && [[ -n $(fc-list :lang=ja family) ]]
}

packages=()
browser=$(find_browser) || packages+=(chromium)
has_japanese_font || packages+=(fonts-ipafont-gothic)

if ((${#packages[@]})); then
  command -v apt-get >/dev/null 2>&1 \
    || die "missing ${packages[*]} and no apt-get: install Chromium (or Chrome) by hand"
  if [[ $(id -u) -eq 0 ]]; then
    as_root=()
  elif command -v sudo >/dev/null 2>&1; then
    as_root=(sudo)
  else
    die "missing ${packages[*]}; run as root (or install sudo): apt-get install -y --no-install-recommends ${packages[*]}"
  fi
  log "installing ${packages[*]} from the Debian packages"
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  browser=$(find_browser) || die "apt-get installed chromium, but no binary is on PATH"
fi

# The Debian launcher's own checks may grumble on stderr; the version is what matters.
"$browser" --version 2>/dev/null || die "$browser --version failed"
