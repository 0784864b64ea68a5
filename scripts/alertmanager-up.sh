#!/usr/bin/env bash
# Prometheus Alertmanager from Debian's package (for the alerts integration test) when missing,
# and the binary's path. The test starts its own Alertmanager on loopback, so nothing is started.
exec "$(dirname "$0")/apt-up.sh" /usr/bin/prometheus-alertmanager prometheus-alertmanager
