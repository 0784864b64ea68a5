#!/usr/bin/env bash
# Install Debian packages when their binaries are missing, without starting their packaged
# services (the tests start their own, on loopback), and print the binaries' paths.
# Usage: scripts/apt-up.sh BINARY PACKAGE [BINARY PACKAGE ...]. Idempotent; installing needs root.
set -euo pipefail
# stdout carries the paths alone: everything the tools print goes to stderr
exec 3>&1 1>&2
missing=()
bins=()
while [ $# -ge 2 ]; do
  bins+=("$1")
  [ -x "$1" ] || missing+=("$2")
  shift 2
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "not installed, and this is not root: apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "installing ${missing[*]} from Debian packages..." >&2
  # policy-rc.d 101: install the binaries without starting the packaged services
  policy=/usr/sbin/policy-rc.d
  created=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; created=1; fi
  trap 'if [ -n "$created" ]; then rm -f "$policy"; fi' EXIT
  install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
  install 2>/dev/null || { apt-get update -qq >/dev/null && install; }
fi
printf '%s\n' "${bins[@]}" >&3
