#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (Playwright drives it; no browser download)
# and print its path. Idempotent: does nothing when it is already there.
set -euo pipefail
# stdout carries the path alone: everything the tools print goes to stderr
exec 3>&1 1>&2
browser=${FRONTDOOR_CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$browser" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Chromium is not installed and this is not root: apt-get install chromium" >&2
    exit 1
  fi
  echo "installing Chromium from Debian packages..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  }
fi
"$browser" --version >/dev/null 2>&1 || { echo "$browser does not start" >&2; exit 1; }
echo "$browser" >&3
