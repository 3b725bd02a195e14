#!/usr/bin/env bash
# The flow page's and the web app's tests drive a real headless Chromium: install Debian's
# if it is missing, with the Noto fonts (Nastaliq for Urdu and Kashmiri, Devanagari for
# Hindi and Dogri) the web app's screenshots need.
set -euo pipefail
PACKAGES=""
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || PACKAGES="chromium"
fc-list 2>/dev/null | grep "Noto Nastaliq Urdu" >/dev/null || PACKAGES="$PACKAGES fonts-noto-core"
if [ -z "$PACKAGES" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
  echo "The browser tests need Debian's packages:$PACKAGES" >&2
  exit 1
fi
SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)
echo "installing$PACKAGES (once) ..."
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $PACKAGES >/dev/null 2>&1 || {
  $SUDO apt-get update -q >/dev/null
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $PACKAGES >/dev/null
}
