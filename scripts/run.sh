#!/usr/bin/env bash
# `make run`: the whole front door on this machine. Migrates the database and loads the demo
# contracts, trains the chat model only when config.yml, domain.yml or data/ changed (Rasa
# skips an unchanged fingerprint; epochs show as it trains), then starts the web app, Rasa and
# the action server and the outbox worker with honcho (Procfile) and prints the URLs. Ctrl-C
# stops them all. The worker needs FRONTDOOR_SMTP_HOST (docs/escalations.md); without one it
# is left out (a local relay: FRONTDOOR_SMTP_HOST=127.0.0.1 FRONTDOOR_SMTP_STARTTLS=0).
# Settings: DATABASE_URL (default var/frontdoor.sqlite3), FRONTDOOR_PORT (5000), RASA_PORT
# (5005), VENV_BIN (.venv/bin), RASA_BIN (.venv-rasa/bin); a .env file is read by honcho and by the frontdoor command.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV_BIN:-.venv/bin}
export VENV_BIN=$BIN
export FRONTDOOR_PORT=${FRONTDOOR_PORT:-5000}
export RASA_PORT=${RASA_PORT:-5005}
export FRONTDOOR_RASA_URL=${FRONTDOOR_RASA_URL:-http://127.0.0.1:$RASA_PORT}
mkdir -p var models

echo "run: database (migrations + demo data)"
"$BIN/frontdoor" db upgrade
"$BIN/frontdoor" demo load

echo "run: chat model"
scripts/rasa-train.sh

web="http://127.0.0.1:$FRONTDOOR_PORT"
cat <<URLS

  Help Center (chat)   $web/help/
  Staff console        $web/console/
  IVR webhook (Twilio) $web/ivr/voice
  Health               $web/healthz
  Rasa REST channel    http://127.0.0.1:$RASA_PORT/webhooks/rest/webhook (HTTP API disabled)
  Action server        http://127.0.0.1:${ACTIONS_PORT:-5055}/health

  Rasa needs about a minute to load its model; the chat answers once "rasa" logs
  "Rasa server is up and running". Ctrl-C stops everything.

URLS
if [ -n "${FRONTDOOR_SMTP_HOST:-}" ] || grep -qs '^FRONTDOOR_SMTP_HOST=' .env; then
  exec "$BIN/honcho" start -f Procfile
fi
echo "run: FRONTDOOR_SMTP_HOST is not set: no outbox worker (escalation e-mails wait in the outbox)"
exec "$BIN/honcho" start -f Procfile web rasa actions
