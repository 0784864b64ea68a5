#!/usr/bin/env bash
# Install Request Tracker 5 from Debian's packages (request-tracker5 with the standalone server
# and the SQLite backend, for the helpdesk integration test) when it is missing, and print the
# path of its server. Idempotent; installing needs root. The test writes RT's configuration,
# builds its database and starts its own server on loopback, so nothing is started here.
set -euo pipefail
# stdout carries the path alone: everything the tools print goes to stderr
exec 3>&1 1>&2
server=/usr/share/request-tracker5/libexec/rt-server
packages="request-tracker5 rt5-standalone rt5-db-sqlite"
if [ ! -x "$server" ] || [ ! -x /usr/sbin/rt-setup-database-5 ] || ! dpkg -s rt5-db-sqlite >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "Request Tracker is not installed and this is not root: apt-get install $packages" >&2
    exit 1
  fi
  echo "installing Request Tracker 5 from Debian packages..." >&2
  # no database for the packaged site (the test makes its own), no service started (exim)
  echo "request-tracker5 request-tracker5/dbconfig-install boolean false" | debconf-set-selections
  policy=/usr/sbin/policy-rc.d
  created=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; created=1; fi
  trap 'if [ -n "$created" ]; then rm -f "$policy"; fi' EXIT
  install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $packages >/dev/null; }
  install 2>/dev/null || { apt-get update -qq >/dev/null && install; }
fi
echo "$server" >&3
