#!/usr/bin/env bash
# Install Prometheus from Debian's package (for the metrics integration test,
# tests/integration/test_prometheus.py) when it is missing, and print the binary's path.
# Idempotent; installing needs root. The package's own service is not started (policy-rc.d):
# the test starts its own Prometheus on loopback with a temporary storage path.
set -euo pipefail
# stdout carries the path alone: everything the tools print goes to stderr
exec 3>&1 1>&2
bin=/usr/bin/prometheus
if [ ! -x "$bin" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "Prometheus is not installed and this is not root: apt-get install prometheus" >&2
    exit 1
  fi
  echo "installing prometheus from Debian packages..." >&2
  # policy-rc.d 101: install the binary without starting the packaged service
  policy=/usr/sbin/policy-rc.d
  created=""
  if [ ! -e "$policy" ]; then printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; created=1; fi
  trap 'if [ -n "$created" ]; then rm -f "$policy"; fi' EXIT
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus >/dev/null
  }
fi
echo "$bin" >&3
