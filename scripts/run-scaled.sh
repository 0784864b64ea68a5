#!/usr/bin/env bash
# `make run-scaled`: the scale-out topology on this machine (docs/scale-out.md): haproxy on
# PORT (8000) before two web apps, two Rasa servers, two action servers and two outbox workers,
# on PostgreSQL (DATABASE_URL, or the database frontdoor_scaled on scripts/postgres-up.sh's
# server) and Redis, with the demo data and a development mail sink (logs and mail in the
# folder it prints). Prints "ready" when haproxy sees every instance up; Ctrl-C stops it all.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV_BIN:-.venv/bin}
scripts/scale-out-up.sh >/dev/null
if [ -z "${DATABASE_URL:-}" ]; then
  server=$(scripts/postgres-up.sh)
  DATABASE_URL="${server%/*}/frontdoor_scaled"
  "$BIN/python" - "$server" <<'PY'
import sys
from sqlalchemy import create_engine, text
engine = create_engine(sys.argv[1], isolation_level="AUTOCOMMIT")
with engine.connect() as db:
    if not db.execute(text("SELECT 1 FROM pg_database WHERE datname = 'frontdoor_scaled'")).first():
        db.execute(text("CREATE DATABASE frontdoor_scaled"))
PY
fi
export DATABASE_URL
echo "run-scaled: database (migrations + demo data)"
"$BIN/frontdoor" db upgrade
"$BIN/frontdoor" demo load
echo "run-scaled: chat model"
scripts/rasa-train.sh
exec "$BIN/python" -m deploy --database-url "$DATABASE_URL" --port "${PORT:-8000}" --instances "${INSTANCES:-2}"
