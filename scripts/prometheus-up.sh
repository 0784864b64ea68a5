#!/usr/bin/env bash
# Prometheus from Debian's package (for the metrics integration test,
# tests/integration/test_prometheus.py) when missing, and the binary's path. The package's own
# service is not started: the test starts its own Prometheus on loopback.
exec "$(dirname "$0")/apt-up.sh" /usr/bin/prometheus prometheus
