#!/usr/bin/env bash
# Install (Debian package) and start a local PostgreSQL server for the test suite, create a
# superuser role and a test database, and print its SQLAlchemy URL. Idempotent.
set -euo pipefail
# stdout carries the URL alone: everything the tools print goes to stderr
exec 3>&1 1>&2
role=frontdoor
db=frontdoor_test
port=${FRONTDOOR_PG_PORT:-5432}
if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "PostgreSQL is not installed and this is not root: apt-get install postgresql" >&2
    exit 1
  fi
  echo "installing PostgreSQL from Debian packages..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1 || {
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  }
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then
  pg_createcluster "$version" main >/dev/null
fi
# a server killed uncleanly leaves a pid/lock file (and for a moment its children): retry
for attempt in 1 2 3 4 5; do
  pg_lsclusters -h | grep -q "^$version main .* online" && break
  pg_ctlcluster "$version" main start 3>&- && break
  [ "$attempt" = 5 ] && { echo "PostgreSQL $version does not start" >&2; exit 1; }
  sleep 2
done
as_pg() { runuser -u postgres -- "$@"; }
for _ in $(seq 1 30); do as_pg pg_isready -q -p "$port" && break; sleep 0.5; done
as_pg psql -p "$port" -qtAc "SELECT 1 FROM pg_roles WHERE rolname='$role'" | grep -q 1 \
  || as_pg psql -p "$port" -qc "CREATE ROLE $role LOGIN SUPERUSER PASSWORD '$role'"
as_pg psql -p "$port" -qtAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1 \
  || as_pg createdb -p "$port" -O "$role" "$db"
echo "postgresql+psycopg2://$role:$role@127.0.0.1:$port/$db" >&3
