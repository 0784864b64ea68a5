#!/usr/bin/env bash
# Start Rasa (REST + socket.io channels, HTTP API disabled, no CORS: browsers talk to the web
# app, not to Rasa) on the latest model in models/, listening on FRONTDOOR_RASA_HOST (default
# 127.0.0.1), with its SQL tracker store on DATABASE_URL and the action server's secret
# FRONTDOOR_ACTIONS_SECRET (both exported by bot/rasa_env.py from the settings; see endpoints.yml).
# Usage: scripts/rasa-run.sh [extra rasa run options]; RASA_PORT (default 5005).
# Two environments: the settings are read in the main one (VENV_BIN, default .venv/bin), Rasa runs
# in its own (RASA_BIN, default .venv-rasa/bin: Python 3.10, rasa 3.6.21), which has no core.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${VENV_BIN:-.venv/bin}
RASA_BIN=${RASA_BIN:-.venv-rasa/bin}
eval "$("$BIN/python" -m bot.rasa_env)"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"  # endpoints.yml names rasaserver.tracker_store
mkdir -p var
echo "rasa: http://$FRONTDOOR_RASA_HOST:${RASA_PORT:-5005}/webhooks/rest/webhook (REST), socket.io on the same port"
# rasaserver/cli.py: Rasa's command line with a faster check of the action server's answers
exec "$RASA_BIN/python" -m rasaserver.cli run --model "${RASA_MODEL:-models}" --port "${RASA_PORT:-5005}" \
  --interface "$FRONTDOOR_RASA_HOST" --endpoints "${RASA_ENDPOINTS:-endpoints.yml}" \
  --credentials credentials.yml "$@"
