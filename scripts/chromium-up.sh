#!/usr/bin/env bash
# Make sure Debian's Chromium is installed for the browser tests (Playwright drives it with
# executable_path=/usr/bin/chromium; no browser download). Idempotent; installing needs root.
# Prints the browser's path.
set -euo pipefail
BROWSER=/usr/bin/chromium
if [ ! -x "$BROWSER" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "chromium-up: $BROWSER is missing; as root run: apt-get install -y chromium" >&2
    exit 1
  fi
  echo "chromium-up: installing Debian's chromium" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2 || {
    apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2
  }
fi
echo "$BROWSER"
