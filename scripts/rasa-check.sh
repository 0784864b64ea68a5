#!/usr/bin/env bash
# Check the chat's training data and dialogue: `rasa data validate` must be
# clean, and the test stories must pass with --fail-on-prediction-errors on the latest model in
# models/ (run scripts/rasa-train.sh first).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${RASA_BIN:-.venv-rasa/bin}  # the Rasa environment (Python 3.10, rasa 3.6.21)
echo "rasa-check: rasa data validate"
"$BIN/rasa" data validate --fail-on-warnings --config config.yml --domain domain.yml --data data
# every file of tests/stories/; --e2e: where a story carries the customer's words, the model's
# intent and entities for them are checked too
echo "rasa-check: rasa test core --e2e --stories tests/stories --fail-on-prediction-errors"
"$BIN/rasa" test core --e2e --model models --stories tests/stories \
  --fail-on-prediction-errors --out var/rasa-test-results
