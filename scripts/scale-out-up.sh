#!/usr/bin/env bash
# haproxy and Redis from Debian's packages, for the scale-out topology (deploy/, docs/scale-out.md)
# and its test; their packaged services are not started. Prints the binaries' paths.
exec "$(dirname "$0")/apt-up.sh" /usr/sbin/haproxy haproxy /usr/bin/redis-server redis-server
