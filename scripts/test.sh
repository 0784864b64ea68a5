#!/usr/bin/env bash
# `make test`: lint, the real services the tests use, and the whole suite, in two streams so
# that a 2-core machine is busy on both cores from the first second:
#   main stream:  the main environment, lint, the services, then the tests that do not need the
#                 chat model (all of tests/ but those marked chat_model and those of SECOND)
#   chat stream:  the Rasa environment and the model's training (the longest chain, so it starts
#                 at once), then the Rasa environment's tests, the tests against the model beside
#                 `rasa data validate` and the test stories, then the tests of SECOND
# The chat stream writes to var/test-chat.log, printed when it ends. Either stream red: red.
# FRONTDOOR_REQUIRE_SERVICES=1 (CI): a service that cannot be started fails the run instead of
# skipping its tests; FRONTDOOR_REQUIRE_POSTGRES=1 likewise for PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
MAKE=${MAKE:-make}
BIN=${VENV_BIN:-.venv/bin}
RASA_BIN=${RASA_BIN:-.venv-rasa/bin}
# run after the chat stream's own tests: about as long as the main stream's lead over it
SECOND=(tests/unit tests/integration/test_request_tracker.py tests/integration/test_live_chat.py
  tests/e2e/test_ivr_office_hours.py)
READY=var/.test-services-ready
mkdir -p var
rm -f "$READY" var/test-chat.log

chat_stream() {
  "$MAKE" -s rasa-venv
  scripts/rasa-train.sh > var/rasa-train.log 2>&1 || { cat var/rasa-train.log; return 1; }
  tail -n 2 var/rasa-train.log
  while [ ! -e "$READY" ]; do sleep 1; done  # the main stream started the services
  local url rc=0
  url=$(cat "$READY")
  scripts/rasa-check.sh > var/rasa-check.log 2>&1 &
  local check=$!
  "$RASA_BIN/python" -m pytest -q -p no:cacheprovider --confcutdir=tests/rasa_env tests/rasa_env \
    && FRONTDOOR_TEST_POSTGRES_URL="$url" "$BIN/python" -m pytest -q -p no:cacheprovider \
      -m chat_model || rc=$?
  wait "$check" || { cat var/rasa-check.log; return 1; }
  grep -E "^rasa-check:|Correct:" var/rasa-check.log
  [ "$rc" -eq 0 ] || return "$rc"
  FRONTDOOR_TEST_POSTGRES_URL="$url" "$BIN/python" -m pytest -q -p no:cacheprovider \
    -m "not chat_model" "${SECOND[@]}"
}

set -m  # the chat stream in a process group of its own, stopped whole if the main one fails
chat_stream > var/test-chat.log 2>&1 &
chat=$!
set +m
stop_chat() { kill -- -"$chat" 2>/dev/null || true; }
trap stop_chat EXIT  # also on Ctrl-C: the chat stream's group does not get the terminal's signal
trap 'exit 130' INT TERM
echo "chat stream (Rasa environment, training, tests against the model) > var/test-chat.log"

"$MAKE" -s lint
required() {  # a service's start-up script; its tests are skipped without it unless required
  scripts/"$1" > /dev/null && return 0
  [ -z "${FRONTDOOR_REQUIRE_SERVICES:-}" ] || exit 1
  echo "$1 failed: $2" >&2
}
required chromium-up.sh "the browser tests will fail"
required alertmanager-up.sh "its test will be skipped"
required prometheus-up.sh "its test will be skipped"
required scale-out-up.sh "the scale-out tests will be skipped"
required rt-up.sh "the Request Tracker tests will be skipped"
url=$(scripts/postgres-up.sh) || {
  [ -z "${FRONTDOOR_REQUIRE_POSTGRES:-}" ] || exit 1
  url=""
  echo "PostgreSQL unavailable: its tests will be skipped" >&2
}
echo "$url" > "$READY.tmp" && mv "$READY.tmp" "$READY"

ignore=()
for path in "${SECOND[@]}"; do ignore+=(--ignore="$path"); done
rc=0
FRONTDOOR_TEST_POSTGRES_URL="$url" "$BIN/python" -m pytest -q -p no:cacheprovider \
  -m "not chat_model" "${ignore[@]}" || rc=$?

chatrc=0
wait "$chat" || chatrc=$?
echo "---- chat stream (var/test-chat.log) ----"
cat var/test-chat.log
rm -f "$READY"
[ "$rc" -eq 0 ] || exit "$rc"
exit "$chatrc"
