#!/usr/bin/env bash
# `make run`: the whole front door on this machine. Migrates the database and loads the demo
# contracts, trains the chat model only when config.yml, domain.yml or data/ changed (Rasa
# skips an unchanged fingerprint; epochs show as it trains), then starts the web app, Rasa and
# the action server and the outbox worker with honcho (Procfile), waits until each answers its
# health check (saying what it still waits for) and only then prints "ready" and the URLs. Ctrl-C
# stops them all. Without FRONTDOOR_SMTP_HOST the worker sends to a development mail sink
# (`frontdoor mailsink`, 127.0.0.1:MAILSINK_PORT, e-mails kept in var/mail/new).
# Settings: DATABASE_URL (default var/frontdoor.sqlite3), FRONTDOOR_PORT (5000), RASA_PORT
# (5005), FRONTDOOR_START_TIMEOUT (600 s), VENV_BIN (.venv/bin), RASA_BIN (.venv-rasa/bin); a
# .env file is read by honcho and by the frontdoor command.
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
rasa="http://127.0.0.1:$RASA_PORT"
actions="http://127.0.0.1:${ACTIONS_PORT:-5055}"
procs="web rasa actions worker"
# the helpdesk sync (docs/helpdesk.md) runs when Request Tracker is configured
if [ -n "${FRONTDOOR_RT_URL:-}" ] || grep -qs '^FRONTDOOR_RT_URL=.' .env; then procs="$procs helpdesk"; fi
sink=""
if [ -z "${FRONTDOOR_SMTP_HOST:-}" ] && ! grep -qs '^FRONTDOOR_SMTP_HOST=' .env; then
  export MAILSINK_PORT=${MAILSINK_PORT:-8025}
  export FRONTDOOR_SMTP_HOST=127.0.0.1 FRONTDOOR_SMTP_PORT=$MAILSINK_PORT FRONTDOOR_SMTP_STARTTLS=0
  procs="$procs mailsink"
  sink="127.0.0.1:$MAILSINK_PORT"
  echo "run: no FRONTDOOR_SMTP_HOST: e-mails go to the development mail sink ($sink, var/mail/new)"
fi

# honcho runs the processes; this script waits until each one answers, then says "ready".
"$BIN/honcho" start -f Procfile $procs &
honcho=$!
trap 'kill -TERM $honcho 2>/dev/null; wait $honcho 2>/dev/null' INT TERM
trap 'kill -TERM $honcho 2>/dev/null' EXIT

answers() {  # an HTTP 2xx within 2 s
  "$BIN/python" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=2)' "$1" 2>/dev/null
}
smtp_answers() {  # an SMTP greeting within 2 s
  "$BIN/python" -c 'import smtplib, sys; h, p = sys.argv[1].split(":"); smtplib.SMTP(h, int(p), timeout=2).quit()' "$1" 2>/dev/null
}
deadline=$(( $(date +%s) + ${FRONTDOOR_START_TIMEOUT:-600} ))
last_said=0
while :; do
  waiting=()
  answers "$web/healthz" || waiting+=("web app ($web/healthz)")
  answers "$actions/health" || waiting+=("action server ($actions/health)")
  answers "$rasa/webhooks/rest/" || waiting+=("Rasa ($rasa/webhooks/rest/: loading TensorFlow and the model, about a minute)")
  if [ -n "$sink" ]; then smtp_answers "$sink" || waiting+=("mail sink ($sink)"); fi
  [ ${#waiting[@]} -eq 0 ] && break
  if ! kill -0 $honcho 2>/dev/null; then
    echo "run: a process stopped before everything answered (see its lines above)" >&2
    exit 1
  fi
  if [ "$(date +%s)" -ge "$deadline" ]; then
    printf -v list '%s; ' "${waiting[@]}"
    echo "run: still no answer after ${FRONTDOOR_START_TIMEOUT:-600} s from: ${list%; }" >&2
    exit 1
  fi
  if [ $(( $(date +%s) - last_said )) -ge 15 ]; then
    printf -v list '%s; ' "${waiting[@]}"
    echo "run: waiting for ${list%; }"
    last_said=$(date +%s)
  fi
  sleep 1
done

cat <<URLS

  ready

  Help Center (chat)   $web/help/
  Staff console        $web/console/
  IVR webhook (Twilio) $web/ivr/voice
  Health               $web/healthz
  Rasa REST channel    $rasa/webhooks/rest/webhook (HTTP API disabled)
  Action server        $actions/health
  Outbox worker        e-mails to ${sink:-$FRONTDOOR_SMTP_HOST}${sink:+ (kept in var/mail/new)}

  Ctrl-C stops everything.

URLS
trap - EXIT
wait $honcho
